// mcp-auth-conformance/msw is meant for msw's setupWorker too, where there is no Node: nothing it
// reaches may import a Node built-in. A new import anywhere in the client world or its checks (a
// file read, node:crypto) fails here with the chain that brought it in.
import { describe, expect, it } from 'vitest';
import { bundleForBrowser, describeNodeImports } from '../support/browser-bundle.js';

describe('the msw entry point in a browser', () => {
  it('reaches no Node built-in', async () => {
    const { nodeImports } = await bundleForBrowser('library/msw.ts');
    expect(describeNodeImports(nodeImports), 'Node built-ins reached from library/msw.ts (import <- importer <- ... <- entry)').toBe('');
  });

  it('would name the chain to a built-in if it reached one', async () => {
    const { nodeImports } = await bundleForBrowser('core/targets/client/process.ts');
    expect(nodeImports.length).toBeGreaterThan(0);
    expect(nodeImports[0].chain[0]).toBe('core/targets/client/process.ts');
    expect(describeNodeImports(nodeImports)).toMatch(/^node:\S+ <- core\/targets\/client\/process\.ts$/m);
  });
});

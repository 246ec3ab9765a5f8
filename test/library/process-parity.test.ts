// The vitest example's client judged both ways: in-process through the library, and as a process
// (examples/vitest/cli.ts under the client contract) through the suite's engine. The library is
// only worth having if both say the same of the same client.
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureCompiled, VITEST_EXAMPLE_CLIENT } from '../support/compiled.js';
import { driveScenario, runAsProcess, shape, statuses } from '../support/library-drive.js';

beforeAll(() => ensureCompiled(VITEST_EXAMPLE_CLIENT), 120_000);

describe('in-process and process-based verdicts agree on the example client', () => {
  // One start; then two starts with a refresh between them and a SHOULD the SDK misses (a warning).
  it.each(['auth/metadata-var2', 'auth/discovery-max-age'])('%s', async (id) => {
    const asProcess = await runAsProcess(id);
    expect(asProcess.process).toBe('pass');
    const { world } = await driveScenario('msw', { scenario: id });
    expect(statuses(world)).toEqual(asProcess.statuses);
    // The same requests in the same order with the same answers, whichever way the world was reached.
    expect(shape(world.trace().exchanges)).toEqual(shape(asProcess.trace.exchanges));
  }, 60_000);
});

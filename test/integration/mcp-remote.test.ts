// mcp-remote 0.15.1 outside the whole-suite run (which test/integration/compatibility.test.ts pins,
// from test/integration/clients/mcp-remote-0.15.1.ts): the wrapper that maps the contract onto its
// flags, and a defect no scenario can show on purpose, since it depends on which ports other
// processes hold.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../core/targets/client/process.js';
import { runClientScenarios } from '../../core/engine.js';
import { clientScenarios } from '../../suites/client/index.js';
import { ROOT } from '../support/compiled.js';
import { mcpRemote } from './clients/mcp-remote-0.15.1.js';

const SPEC_VERSION = '2026-07-28';
/** The squatter's exit code when the derived port was already held by some unrelated process. */
const PORT_TAKEN = 75;

describe('mcp-remote 0.15.1 (mcp-remote-client)', () => {
  it('uses the pre-registered credentials and the CIMD URL the wrapper hands it', async () => {
    const ids = ['auth/pre-registration', 'auth/basic-cimd'];
    const report = await runClientScenarios({
      command: mcpRemote.command,
      scenarios: clientScenarios.filter((s) => ids.includes(s.id)),
      specVersion: SPEC_VERSION,
      jobs: 2,
      timeoutMs: 20_000,
      strict: false,
    });
    const clientIds = (id: string) =>
      new Set(report.scenarios.find((s) => s.id === id)!.exchanges.filter((e) => e.role === 'authorize').map((e) => new URL(e.request.url).searchParams.get('client_id')));
    // A scenario that met a port another process held proves nothing here; the compatibility test reruns those.
    if (!report.scenarios.some(mcpRemote.rerunIf!)) {
      expect(clientIds('auth/basic-cimd')).toEqual(new Set(['https://conformance-test.local/client-metadata.json']));
      expect(clientIds('auth/pre-registration')).toEqual(new Set(['pre-registered-client']));
    }
  }, 120_000);

  // MOVED_OFF_ITS_PORT on purpose: a wrapper works out the port mcp-remote derives from the URL
  // (calculateDefaultPort: 3335 + the first 16 bits of the URL's MD5 modulo 45816), holds it with a
  // server of its own, and then starts mcp-remote-client.
  it('loses the authorization when another process holds its derived callback port', async () => {
    const client = path.join(ROOT, 'node_modules/mcp-remote/dist/client.js');
    const squatter = [
      `const { createHash } = require('node:crypto');`,
      `const url = process.argv[1];`,
      `const port = 3335 + (parseInt(createHash('md5').update(url).digest('hex').slice(0, 4), 16) % 45816);`,
      `const start = () => require('node:child_process').spawn(process.execPath, [${JSON.stringify(client)}, url], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 1));`,
      // The derived port lies in the ephemeral range: some unrelated process may already hold it.
      `const server = require('node:http').createServer((_, res) => res.writeHead(404).end('not mcp-remote'));`,
      `server.on('error', (error) => { console.error('squatter: ' + error.code); process.exit(${PORT_TAKEN}); });`,
      `server.listen(port, '127.0.0.1', start);`,
    ].join('\n');
    const attempt = () =>
      runClientScenarios({
        command: `${shellQuote(process.execPath)} -e ${shellQuote(squatter)}`,
        scenarios: clientScenarios.filter((s) => s.id === 'auth/metadata-default'),
        specVersion: SPEC_VERSION,
        jobs: 1,
        // mcp-remote first probes the server for 5 s; on a busy machine it needs well over that to reach the callback wait.
        timeoutMs: 25_000,
        strict: false,
      });
    let report = await attempt();
    // A new world has a new URL, so a new derived port.
    for (let retries = 2; retries > 0 && report.scenarios[0].processes[0]?.exitCode === PORT_TAKEN; retries--) report = await attempt();
    const [scenario] = report.scenarios;
    const digest = createHash('md5').update(scenario.world!.mcpUrl).digest('hex');
    const derived = 3335 + (parseInt(digest.slice(0, 4), 16) % 45816);
    const stderr = scenario.processes[0].stderrTail;
    expect(stderr).toContain(`Using callback port derived from the server URL: ${derived}`);
    expect(stderr).toMatch(new RegExp(`Using callback port ${derived + 1}\\s*$`, 'm'));
    expect(mcpRemote.rerunIf!(scenario)).toBe(true);
    // The browser was sent to the derived port, where the other process answered; mcp-remote waited on the next one.
    const callback = scenario.exchanges.find((e) => e.role === 'callback')!;
    expect(new URL(callback.request.url).port).toBe(String(derived));
    expect(callback.response).toMatchObject({ status: 404, body: 'not mcp-remote' });
    expect(scenario.exchanges.some((e) => e.role === 'token')).toBe(false);
    expect(scenario.processes[0].timedOut).toBe(true);
  }, 120_000);
});

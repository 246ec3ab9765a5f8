// @modelcontextprotocol/sdk 1.32.2 outside the whole-suite run (which test/integration/compatibility.test.ts
// pins, from test/integration/clients/sdk-1.32.2.ts): what a host with two agents gets, which one
// connection per process never shows.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../core/targets/client/process.js';
import { runClientScenarios } from '../../core/engine.js';
import { clientScenarios } from '../../suites/client/index.js';
import { ensureCompiled, plainTarget, ROOT } from '../support/compiled.js';

const TARGET = plainTarget('sdk-plain-client');

beforeAll(() => ensureCompiled(TARGET), 120_000);

describe('@modelcontextprotocol/sdk 1.32.2, plain provider, two connections in one process', () => {
  // A host with two agents: a start with stored tokens opens two connections at once, sharing the
  // provider. Each transport's auth() refreshes on its own 401; nothing makes the second wait for the
  // first, so both present the same refresh token and the strict authorization server revokes the
  // family (RT-C-02). The process then fails: "refresh token family revoked".
  it('refreshes twice at once after expiry, and the family is revoked', async () => {
    const scenario = clientScenarios.find((s) => s.id === 'auth/refresh-concurrent-requests')!;
    const report = await runClientScenarios({
      command: `SDK_PLAIN_CLIENT_CONNECTIONS=2 ${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, TARGET.compiled))}`,
      scenarios: [scenario],
      specVersion: '2026-07-28',
      jobs: 1,
      timeoutMs: 20_000,
      strict: false,
    });
    const checks = Object.fromEntries(report.scenarios[0].checks.map((c) => [c.id, c]));
    expect(checks['refresh-single-flight-in-process']).toMatchObject({ status: 'warn', message: expect.stringMatching(/^refresh #\d+ arrived at [\d.]+ ms while refresh #\d+ of family \S+ was still unanswered/) });
    expect(checks['client-process']).toMatchObject({ status: 'fail', message: expect.stringMatching(/refresh token family revoked/) });
  }, 60_000);
});

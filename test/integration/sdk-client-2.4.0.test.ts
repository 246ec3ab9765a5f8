// @modelcontextprotocol/client 2.4.0 outside the whole-suite run (which test/integration/compatibility.test.ts
// pins, from test/integration/clients/sdk-client-2.4.0.ts): the step-up that 1.32.2 gets wrong, in a
// world that issues refresh tokens, watched exchange by exchange.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../core/trace.js';
import { knobs } from '../../mocks/knobs.js';
import { TraceRecorder } from '../../mocks/recorder.js';
import { startWorld } from '../../mocks/world.js';
import { ensureCompiled, plainTarget, ROOT } from '../support/compiled.js';

const TARGET = plainTarget('sdk-v2-client');
const COMPILED = TARGET.compiled;
const PACKAGE_VERSION = '2.4.0';

/** Runs the compiled target once against `mcpUrl`; killed if it outlives `timeoutMs`. */
function runTarget(mcpUrl: string, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  const env = { ...process.env };
  delete env.MCP_CONFORMANCE_CONTEXT;
  const child = spawn(process.execPath, [path.join(ROOT, COMPILED), mcpUrl], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const formOf = (exchange: Exchange) => new URLSearchParams(exchange.request.body ?? '');
const queryOf = (exchange: Exchange) => new URL(exchange.request.url).searchParams;
const rpcMethodOf = (exchange: Exchange) => {
  try {
    return (JSON.parse(exchange.request.body ?? '') as { method?: string }).method;
  } catch {
    return undefined;
  }
};
const scopesOf = (scope: string | null | undefined) => (scope ?? '').split(' ').filter(Boolean).sort();

beforeAll(() => ensureCompiled(TARGET), 120_000);

// Outside the suite: the step-up that 1.32.2 gets wrong (typescript-sdk issue 2255: on 403
// insufficient_scope while holding a refresh token it refreshes without the new scope and gives up).
// In 2.4.0, StreamableHTTPClientTransport._stepUpAuthorizeInner() takes computeScopeUnion(transport scope,
// token scope, challenged scope), sets forceReauthorization when isStrictScopeSuperset() says the union
// exceeds the token's scope, and authInternal() then skips the refresh branch and starts a new
// authorization. With the default onInsufficientScope 'reauthorize' and maxStepUpRetries 1 this is what a
// plain user gets. Observed: one 403, then an authorization request for exactly "mcp:basic mcp:write",
// no refresh_token grant at all, and the retried call succeeds. (The DCR request carries the first
// challenge's scope, mcp:basic, as `scope`; the mock does not cap later grants by it, an authorization
// server that does would refuse this step-up.)
describe(`@modelcontextprotocol/client ${PACKAGE_VERSION}, step-up while holding a refresh token`, () => {
  it('re-authorizes with the union of the granted and the challenged scope instead of refreshing', async () => {
    const recorder = new TraceRecorder();
    const world = await startWorld(
      knobs({
        rs: { publicMethods: ['initialize', 'notifications/initialized'], challengeScope: 'mcp:basic', toolScopes: { 'test-tool': ['mcp:write'] } },
        prm: { scopesSupported: ['mcp:profile'] },
      }),
      { recorder },
    );
    let outcome: { code: number | null; stderr: string };
    try {
      outcome = await runTarget(world.facts.mcpUrl, 25_000);
    } finally {
      await world.close();
    }
    const exchanges = recorder.exchanges;
    const authorizations = exchanges.filter((e) => e.role === 'authorize');
    const tokenRequests = exchanges.filter((e) => e.role === 'token');
    const toolCalls = exchanges.filter((e) => e.role === 'mcp' && rpcMethodOf(e) === 'tools/call');
    const trace = exchanges.map((e) => `${e.id} ${e.role} ${e.request.method} ${e.request.url} -> ${e.response?.status}`).join('\n');

    expect(outcome.code, `the client did not finish: ${outcome.stderr}`).toBe(0);

    // It held a refresh token when the 403 came: the first code redemption returned one.
    expect(tokenRequests.length, trace).toBeGreaterThanOrEqual(1);
    const first = JSON.parse(tokenRequests[0].response?.body ?? '{}') as { refresh_token?: string; scope?: string };
    expect(first.refresh_token, 'the first token response carried no refresh token').toEqual(expect.any(String));
    expect(scopesOf(first.scope)).toEqual(['mcp:basic']);

    // The first call was refused for scope, the retry after re-authorization went through.
    expect(toolCalls.map((e) => e.response?.status), trace).toEqual([403, 200]);
    expect(toolCalls[0].response?.headers['www-authenticate']).toContain('scope="mcp:write"');

    // Two authorizations: the first challenge's scope, then the union, asked for after the 403.
    expect(authorizations.map((e) => scopesOf(queryOf(e).get('scope'))), trace).toEqual([['mcp:basic'], ['mcp:basic', 'mcp:write']]);
    expect(authorizations[1].id).toBeGreaterThan(toolCalls[0].id);

    // Never a refresh: both token requests redeem codes.
    expect(tokenRequests.map((e) => formOf(e).get('grant_type')), trace).toEqual(['authorization_code', 'authorization_code']);

    // And the call that succeeded carried a token holding both scopes.
    const bearer = /^Bearer (\S+)$/.exec(toolCalls[1].request.headers.authorization ?? '')?.[1];
    expect(bearer, 'the retried call carried no bearer token').toBeDefined();
    expect(scopesOf(decodeJwt(bearer!).scope as string | undefined)).toEqual(['mcp:basic', 'mcp:write']);
  }, 60_000);
});

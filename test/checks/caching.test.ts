// The caching checks on hand-built traces of several runs: a passing trace, a failing one naming the
// offending exchange, and one where the behaviour never happened, for every check.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/check.js';
import type { Trace } from '../../core/trace.js';
import {
  authFailureBounded,
  authFailureNotCached,
  discoveryCachedWarm,
  discoveryMaxAgeHonoured,
  discoveryNoStoreHonoured,
  discoveryRefetchOnNewResourceMetadata,
  discoveryOutageKeepsLastKnownGood,
  discoverySingleFlight,
  noCredentialReuseAcrossAs,
  registrationOnce,
  reregisterOnAsChange,
} from '../../suites/client/checks/caching.js';
import { knobs } from '../../mocks/knobs.js';
import { AS, RS, facts, formBody, trace, withRuns, type RunStep } from '../support/trace-builder.js';

const AS2 = 'http://127.0.0.1:4300';
const PRM = `${RS}/.well-known/oauth-protected-resource/mcp`;
const ASM = `${AS}/.well-known/oauth-authorization-server`;

interface Step {
  role: 'prm' | 'as-metadata' | 'register' | 'authorize' | 'token' | 'mcp';
  url: string;
  [key: string]: unknown;
}

const prm = (cache?: string, url = PRM): Step => ({ role: 'prm', url, responseBody: { resource: `${RS}/mcp` }, ...(cache ? { responseHeaders: { 'cache-control': cache } } : {}) });
const asMetadata = (cache?: string, url = ASM): Step => ({ role: 'as-metadata', url, responseBody: { issuer: AS }, ...(cache ? { responseHeaders: { 'cache-control': cache } } : {}) });
const register = (clientId = 'c1', origin = AS): Step => ({ role: 'register', method: 'POST', url: `${origin}/register`, status: 201, responseBody: { client_id: clientId, client_secret: `secret-${clientId}` } });
const authorize = (clientId = 'c1', origin = AS): Step => ({ role: 'authorize', url: `${origin}/authorize?client_id=${clientId}`, status: 302, actor: 'browser' });
const redeem = (clientId = 'c1', origin = AS, rt = 'rt1'): Step => ({
  role: 'token',
  method: 'POST',
  url: `${origin}/token`,
  ...formBody({ grant_type: 'authorization_code', code: 'k', client_id: clientId }),
  responseBody: { access_token: `at-${rt}`, token_type: 'Bearer', refresh_token: rt },
});
const refresh = (rt = 'rt1', origin = AS, clientId = 'c1'): Step => ({
  role: 'token',
  method: 'POST',
  url: `${origin}/token`,
  ...formBody({ grant_type: 'refresh_token', refresh_token: rt, client_id: clientId }),
  responseBody: { access_token: 'at-2', token_type: 'Bearer', refresh_token: `${rt}-next` },
});
/** `token` null sends no Authorization header. */
const mcp = (status: number, token: string | null = 'at', challenge?: string, method = 'tools/call'): Step => ({
  role: 'mcp',
  method: 'POST',
  url: `${RS}/mcp`,
  headers: token ? { authorization: `Bearer ${token}` } : {},
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }),
  status,
  ...(challenge ? { responseHeaders: { 'www-authenticate': challenge } } : {}),
});

const COLD = [mcp(401, null), prm(), asMetadata(), register(), authorize(), redeem(), mcp(200)];

/** Runs of one copy each: client-1, client-2, ...; each step's server follows its origin (AS2 too). */
function runs(...perRun: Step[][]): Trace {
  const steps = perRun.flatMap((run, r) => run.map((s, i) => ({ actor: `client-${r + 1}`, ...s, at: r * 1000 + i * 10, ...(s.url.startsWith(AS2) ? { server: 'as2' as const } : {}) })));
  const recorded: RunStep[] = perRun.map((_, r) => ({ label: r === 0 ? 'cold start' : `run ${r + 1}`, actors: [`client-${r + 1}`], startedAt: r * 1000, endedAt: r * 1000 + 900 }));
  return withRuns(trace(facts(), steps as never), recorded);
}

const evidence = (finding: Finding) => ('evidence' in finding ? (finding.evidence ?? []).map((e) => e.exchange) : []);

describe('discovery-cached-warm', () => {
  it('passes a warm restart that goes straight to the server', () => {
    expect(discoveryCachedWarm.judge(runs(COLD, [mcp(200)])).outcome).toBe('met');
  });

  it('fails a restart that discovers again, naming the fetches', () => {
    const finding = discoveryCachedWarm.judge(runs(COLD, [prm(), asMetadata(), mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: `run 2 (run 2) fetched ${PRM} (#8), ${ASM} (#9) again` });
    expect(evidence(finding)).toEqual([8, 9]);
  });

  it('cannot pass with one run, or when the later run did nothing', () => {
    expect(discoveryCachedWarm.judge(trace(facts(), COLD as never)).outcome).toBe('missing');
    expect(discoveryCachedWarm.judge(runs(COLD, [])).outcome).toBe('missing');
  });
});

describe('registration-once', () => {
  it('passes one registration over two runs', () => {
    expect(registrationOnce.judge(runs(COLD, [mcp(200)])).outcome).toBe('met');
  });

  it('fails a second registration', () => {
    expect(registrationOnce.judge(runs(COLD, [register('c2'), mcp(200)]))).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 8 }] });
  });

  it('cannot pass without a registration or a second run', () => {
    expect(registrationOnce.judge(runs([mcp(200)], [mcp(200)])).outcome).toBe('missing');
    expect(registrationOnce.judge(trace(facts(), COLD as never)).outcome).toBe('missing');
  });
});

describe('discovery-no-store-honoured', () => {
  const cold = [mcp(401, null), prm(), asMetadata('no-store'), register(), authorize(), redeem(), mcp(200)];

  it('passes a run that fetches the no-store metadata again before refreshing', () => {
    expect(discoveryNoStoreHonoured.judge(runs(cold, [mcp(401), asMetadata('no-store'), refresh(), mcp(200)])).outcome).toBe('met');
  });

  it('fails a run that refreshes from the cached document', () => {
    const finding = discoveryNoStoreHonoured.judge(runs(cold, [mcp(401), refresh(), mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 9 }, { exchange: 3, part: 'response.header.cache-control' }] });
  });

  it('fails a fetch that comes only after the refresh', () => {
    expect(discoveryNoStoreHonoured.judge(runs(cold, [mcp(401), refresh(), asMetadata('no-store')])).outcome).toBe('unmet');
  });

  it('cannot pass without a no-store document, or when the later run never used the authorization server', () => {
    expect(discoveryNoStoreHonoured.judge(runs(COLD, [mcp(401), refresh()])).outcome).toBe('missing');
    expect(discoveryNoStoreHonoured.judge(runs(cold, [mcp(200)])).outcome).toBe('missing');
  });
});

describe('discovery-max-age-honoured', () => {
  const cold = [mcp(401, null), prm('max-age=3600'), asMetadata('public, max-age=3600'), register(), authorize(), redeem(), mcp(200)];

  it('passes a refresh from cached metadata', () => {
    expect(discoveryMaxAgeHonoured.judge(runs(cold, [mcp(401), refresh(), mcp(200)])).outcome).toBe('met');
  });

  it('fails a refetch of a fresh document', () => {
    const finding = discoveryMaxAgeHonoured.judge(runs(cold, [mcp(401), prm(), refresh(), mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: `run 2 (run 2) fetched ${PRM} (#9) again while still fresh (max-age 3600 s)`, evidence: [{ exchange: 9 }, { exchange: 2 }] });
  });

  it('allows a refetch once max-age has run out', () => {
    // Fetched at 10 ms with max-age=1; fetched again at 1010 ms, when it is 1 s old.
    const short = [mcp(401, null), asMetadata('max-age=1'), register(), authorize(), redeem(), mcp(200)];
    const finding = discoveryMaxAgeHonoured.judge(runs(short, [mcp(401), asMetadata(), refresh(), mcp(200)]));
    expect(finding.outcome).toBe('met');
  });

  it('cannot pass without max-age or without a refresh', () => {
    expect(discoveryMaxAgeHonoured.judge(runs(COLD, [mcp(401), refresh()])).outcome).toBe('missing');
    expect(discoveryMaxAgeHonoured.judge(runs(cold, [mcp(200)])).outcome).toBe('missing');
  });
});

describe('discovery-refetch-on-new-resource-metadata', () => {
  const moved = `${RS}/.well-known/oauth-protected-resource/mcp-v2`;
  const challenge = `Bearer error="invalid_token", resource_metadata="${moved}"`;

  it('passes exactly one fetch of the new document', () => {
    expect(discoveryRefetchOnNewResourceMetadata.judge(runs(COLD, [mcp(401, 'at', challenge), prm(undefined, moved), refresh(), mcp(200)])).outcome).toBe('met');
  });

  it('fails a client that ignores the new URL', () => {
    const finding = discoveryRefetchOnNewResourceMetadata.judge(runs(COLD, [mcp(401, 'at', challenge), refresh(), mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: `run 2 (run 2) never fetched ${moved}, which the 401 (#8) named`, evidence: [{ exchange: 8 }] });
  });

  it('fails a client that fetches it on every request', () => {
    const finding = discoveryRefetchOnNewResourceMetadata.judge(runs(COLD, [mcp(401, 'at', challenge), prm(undefined, moved), refresh(), prm(undefined, moved), mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: `run 2 (run 2) fetched ${moved} 2 times` });
    expect(evidence(finding)).toEqual([9, 11]);
  });

  it('cannot pass when no 401 named a new URL', () => {
    expect(discoveryRefetchOnNewResourceMetadata.judge(runs(COLD, [mcp(401, 'at', `Bearer resource_metadata="${PRM}"`), refresh()])).outcome).toBe('missing');
  });
});

describe('the authorization server migration', () => {
  const refused = mcp(401, 'at-rt1', `Bearer error="invalid_token", resource_metadata="${PRM}"`);
  const asm2 = asMetadata(undefined, `${AS2}/.well-known/oauth-authorization-server`);
  const migrated = [refused, prm(), asm2, register('d1', AS2), authorize('d1', AS2), redeem('d1', AS2, 'rt2'), mcp(200, 'at-rt2')];
  const world = facts({ issuer2: AS2, endpoints2: { authorize: `${AS2}/authorize`, token: `${AS2}/token`, register: `${AS2}/register`, jwks: `${AS2}/jwks` } });
  /** Between starts: the second run's knobs name the second server. */
  const judge = (check: typeof reregisterOnAsChange, later: Step[]) => {
    const t = runs(COLD, later);
    t.runs![1].knobs = knobs({ prm: { authorizationServer: 'second' } });
    return check.judge({ ...t, world });
  };
  /** Under a running client: the move follows the first request served with a token. */
  const underway = (check: typeof reregisterOnAsChange, steps: Step[]) =>
    check.judge(trace(facts({ ...world, knobs: knobs({ as2: {}, prm: { migrateAfterAuthorizedRequests: 1 } }) }), steps.map((s, i) => ({ ...s, at: i * 10, ...(s.url.startsWith(AS2) ? { server: 'as2' as const } : {}) })) as never));

  it('passes a client that registers with the second server and sends it nothing of the first', () => {
    expect(judge(reregisterOnAsChange, migrated).outcome).toBe('met');
    expect(judge(noCredentialReuseAcrossAs, migrated).outcome).toBe('met');
  });

  it('fails a client that takes its first client_id to the second server', () => {
    const reused = [refused, prm(), asm2, authorize('c1', AS2), redeem('c1', AS2, 'rt2')];
    expect(judge(reregisterOnAsChange, reused)).toMatchObject({ outcome: 'unmet', message: expect.stringContaining('went to http://127.0.0.1:4300 (#11, authorize) without registering there') });
    const finding = judge(noCredentialReuseAcrossAs, reused);
    expect(finding).toMatchObject({ outcome: 'unmet', message: '#11 (authorize) at the second authorization server carried the client_id the first server registered (#4) in query.client_id' });
    expect(finding).toMatchObject({ evidence: [{ exchange: 11, part: 'query.client_id' }, { exchange: 12, part: 'form.client_id' }] });
  });

  it('fails a refresh token of the first server sent to the second', () => {
    const finding = judge(noCredentialReuseAcrossAs, [refused, prm(), asm2, register('d1', AS2), refresh('rt1', AS2, 'd1')]);
    expect(finding).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 12, part: 'form.refresh_token' }] });
  });

  it('fails a client that stays with the first server', () => {
    expect(judge(reregisterOnAsChange, [refused, refresh()])).toMatchObject({ outcome: 'unmet', message: expect.stringContaining('went back to the first authorization server (#9, token)') });
  });

  it('cannot pass when the second server was never contacted or the world has none', () => {
    expect(judge(noCredentialReuseAcrossAs, [refused, refresh()])).toMatchObject({ outcome: 'missing', precondition: { id: 'request-after-change' } });
    expect(reregisterOnAsChange.judge(runs(COLD, migrated)).outcome).toBe('missing');
    expect(judge(reregisterOnAsChange, [mcp(200)])).toMatchObject({ outcome: 'missing', precondition: { id: 'request-after-change' } });
  });

  it('judges a move under a running client from the request after the first one served with a token', () => {
    const first = [mcp(401, null, undefined, 'tools/list'), prm(), asMetadata(), register(), authorize(), redeem(), mcp(200, 'at-rt1', undefined, 'tools/list')];
    expect(underway(reregisterOnAsChange, [...first, ...migrated])).toMatchObject({ outcome: 'met', message: expect.stringContaining('after the change after the resource server served #7') });
    expect(underway(noCredentialReuseAcrossAs, [...first, ...migrated]).outcome).toBe('met');
    expect(underway(reregisterOnAsChange, [...first, refused, refresh(), refused])).toMatchObject({ outcome: 'unmet', message: expect.stringContaining('went back to the first authorization server (#9, token)') });
    // A client whose one request was the one served never meets the move: nothing to judge, and nothing it had to do.
    expect(underway(reregisterOnAsChange, first)).toMatchObject({ outcome: 'missing', precondition: { id: 'request-after-change', optional: true } });
    expect(underway(noCredentialReuseAcrossAs, first)).toMatchObject({ outcome: 'missing', precondition: { id: 'request-after-change' } });
  });
});

describe('discovery-single-flight', () => {
  /** Three copies in one run. */
  const together = (steps: Array<Step & { actor: string }>) => withRuns(trace(facts(), steps as never), [{ label: 'copies starting together', actors: ['client-1', 'client-2', 'client-3'] }]);
  const as = (actor: string, s: Step) => ({ ...s, actor });

  it('passes copies that share one discovery and one registration', () => {
    const t = together([as('client-1', prm()), as('client-1', asMetadata()), as('client-1', register()), as('client-2', mcp(200)), as('client-3', mcp(200))]);
    expect(discoverySingleFlight.judge(t).outcome).toBe('met');
  });

  it('fails a document fetched by several copies', () => {
    const t = together([as('client-1', prm()), as('client-2', prm()), as('client-1', asMetadata()), as('client-1', register())]);
    expect(discoverySingleFlight.judge(t)).toMatchObject({ outcome: 'unmet', message: `${PRM} was fetched 2 times by 2 copies`, evidence: [{ exchange: 1 }, { exchange: 2 }] });
  });

  it('fails several registrations', () => {
    const t = together([as('client-1', prm()), as('client-1', asMetadata()), as('client-1', register()), as('client-2', register('c2'))]);
    expect(discoverySingleFlight.judge(t)).toMatchObject({ outcome: 'unmet', message: '2 registrations by 2 copies' });
  });

  it('cannot pass with one copy', () => {
    expect(discoverySingleFlight.judge(trace(facts(), COLD as never)).outcome).toBe('missing');
  });
});

describe('discovery-outage-keeps-last-known-good', () => {
  const outage: Step = { role: 'prm', url: PRM, status: 503 };
  const expired = mcp(401, 'at', 'Bearer error="invalid_token"');

  it('passes a refresh at the known authorization server after the outage', () => {
    expect(discoveryOutageKeepsLastKnownGood.judge(runs(COLD, [expired, outage, refresh(), mcp(200)]))).toMatchObject({ outcome: 'met', message: `after the PRM outage (#9) run 2 (run 2) refreshed at ${AS} (#10), the authorization server it knew` });
  });

  it("fails a client that takes the resource server's origin for its authorization server", () => {
    const guessed: Step = { role: 'unknown' as Step['role'], url: `${RS}/.well-known/oauth-authorization-server`, status: 404 };
    const finding = discoveryOutageKeepsLastKnownGood.judge(runs(COLD, [expired, outage, guessed]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: `after the PRM outage (#9, 503) run 2 (run 2) treated the resource server's origin as its authorization server: ${RS}/.well-known/oauth-authorization-server (#10)` });
    expect(evidence(finding)).toEqual([9, 10]);
  });

  it('fails a client that authorizes again, or gives up', () => {
    expect(discoveryOutageKeepsLastKnownGood.judge(runs(COLD, [expired, outage, authorize(), redeem()])).message).toMatch(/authorized again \(#10\) instead of refreshing/);
    // Giving up is a finding only for a client that keeps something: one that refreshed before.
    expect(discoveryOutageKeepsLastKnownGood.judge(runs(COLD, [expired, refresh(), mcp(200)], [expired, outage])).message).toMatch(/gave up without using the authorization server it knew/);
    expect(discoveryOutageKeepsLastKnownGood.judge(runs(COLD, [expired, outage]))).toMatchObject({ outcome: 'missing', precondition: { id: 'kept-credentials', optional: true } });
  });

  it('does not apply to a client that never revalidated PRM, and cannot pass with one run', () => {
    expect(discoveryOutageKeepsLastKnownGood.judge(runs(COLD, [expired, refresh(), mcp(200)]))).toMatchObject({ outcome: 'missing', precondition: { id: 'revalidation', optional: true } });
    expect(discoveryOutageKeepsLastKnownGood.judge(trace(facts(), COLD as never)).outcome).toBe('missing');
  });
});

describe('the auth failure loop', () => {
  const refused = mcp(401, 'at', 'Bearer error="invalid_token"');
  const attempt = [authorize(), redeem(), refused];
  const loop = (n: number) => [mcp(401, null), prm(), asMetadata(), register(), ...Array.from({ length: n }, () => attempt).flat()];

  it('passes a client that stops after three authorizations and succeeds in the next run', () => {
    const t = runs(loop(3), [mcp(200)]);
    expect(authFailureBounded.judge(t).outcome).toBe('met');
    expect(authFailureNotCached.judge(t).outcome).toBe('met');
  });

  it('fails a fourth authorization, naming the extra ones', () => {
    const finding = authFailureBounded.judge(runs(loop(5), [mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'run 1 (cold start) authorized 5 times against a server that refused every token (at most 3)' });
    expect(evidence(finding)).toEqual([14, 17]);
  });

  it('fails a refresh loop: one authorization, then refresh after refresh', () => {
    const finding = authFailureBounded.judge(runs([...loop(1), ...Array.from({ length: 6 }, () => [refresh(), refused]).flat()], [mcp(200)]));
    expect(finding).toMatchObject({ outcome: 'unmet', message: 'run 1 (cold start) sought a new token 7 times (1 authorization(s), 6 refresh(es)) against a server that refused every token (at most 6)' });
    expect(evidence(finding)).toEqual([18]);
  });

  it('fails a client still running at the timeout', () => {
    const t = runs(loop(2), [mcp(200)]);
    t.processes = [{ actor: 'client-1', command: 'c', exitCode: null, signal: 'SIGKILL', timedOut: true, durationMs: 30000, stdoutTail: '', stderrTail: '' }];
    expect(authFailureBounded.judge(t)).toMatchObject({ outcome: 'unmet', message: 'client-1 was still running at the timeout, after 2 authorization(s) and 2 refused request(s)', evidence: [{ exchange: 10 }] });
  });

  it('fails a later run that never asks the server (a remembered failure)', () => {
    expect(authFailureNotCached.judge(runs(loop(1), [prm()]))).toMatchObject({ outcome: 'unmet', evidence: [{ exchange: 7, part: 'response.status' }] });
  });

  it('fails a later run none of whose requests is served with a token', () => {
    expect(authFailureNotCached.judge(runs(loop(1), [mcp(401)]))).toMatchObject({ outcome: 'unmet', message: 'run 2 (run 2) tried again but no request of it was served with a token' });
  });

  it('passes a later run served with a token, whatever it asked for (listing tools is enough)', () => {
    expect(authFailureNotCached.judge(runs(loop(1), [mcp(200, 'at', undefined, 'tools/list')]))).toMatchObject({ outcome: 'met', message: expect.stringContaining('(tools/list) was served with a token') });
  });

  it('cannot pass when no token was refused, or with one run', () => {
    expect(authFailureBounded.judge(runs(COLD, [mcp(200)])).outcome).toBe('missing');
    expect(authFailureNotCached.judge(runs(COLD, [mcp(200)])).outcome).toBe('missing');
    expect(authFailureNotCached.judge(trace(facts(), loop(1) as never)).outcome).toBe('missing');
  });
});

// The proof that every check of the authorization-server suite works both ways: a correct
// authorization server passes the whole suite, and for every row below the same server with exactly
// that defect fails the row's check (warns, for a SHOULD), for the reason the row states, with
// evidence, and fails or warns on nothing else beyond what the row lists as a necessary consequence.
// Each defect runs once, with only the scenarios its rows need, as the kit runs a started server: a
// process of its own, real HTTP on loopback.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, Report } from '../../core/report.js';
import type { SelectableSpecVersion } from '../../core/spec.js';
import { shellQuote } from '../../core/targets/client/process.js';
import { AUTHORIZATION_SERVER_CHECK, DEFAULT_REDIRECT_URI, DEFAULT_RESOURCE, runAuthorizationServerScenarios } from '../../core/targets/authorization-server/run.js';
import { authorizationServerScenarios } from '../../suites/authorization-server/index.js';
import { AUTHORIZATION_SERVER_DEFECTS, type AuthorizationServerDefect } from '../mutants/authorization-server-defects.js';
import { AUTHORIZATION_SERVER_MUTANT, ensureCompiled, ROOT } from '../support/compiled.js';

interface Row {
  check: string;
  defect: AuthorizationServerDefect;
  /** The scenario whose check it is; the run of the defect runs only the scenarios its rows name. */
  scenario: string;
  reason: RegExp;
  specVersion?: SelectableSpecVersion;
  /** Other checks the one defect necessarily fails or warns on too, each with the reason in a comment. */
  alsoFails?: string[];
  /** The mutant's mode beside its defect, such as AS_TOKEN_FORMAT. */
  env?: Record<string, string>;
}

const SPEC_VERSION: SelectableSpecVersion = '2026-07-28';
const TEST_TIMEOUT_MS = 120_000;
/** Two server processes at once: one per core. */
const LANES = 2;

/**
 * What the correct server warns on. None: it follows every SHOULD the suite checks (iss, S256 only,
 * invalid_target, short-lived JWTs for the resource, rotation with family revocation, and a grace
 * window that gives racing refreshes one successor).
 */
const CORRECT_WARNS: string[] = [];

/** Access tokens the kit can read only by introspection. */
const OPAQUE = { AS_TOKEN_FORMAT: 'opaque' };

const ISSUER = String.raw`http://127\.0\.0\.1:\d+`;
const RESOURCE = String.raw`http://127\.0\.0\.1:3000/mcp`;

const METADATA = 'as/metadata';
const REGISTRATION = 'as/registration';
const CIMD = 'as/cimd';
const AUTHORIZE = 'as/authorization-endpoint';
const TOKEN = 'as/token-endpoint';
const REFRESH = 'as/refresh';
const CODE_RACE = 'as/code-race';
const REFRESH_RACE = 'as/refresh-race';

const ROWS: Row[] = [
  // Metadata. Only at 2025-06-18 is OpenID Connect discovery alone not enough.
  { check: 'metadata-published', defect: 'oidc-discovery-only', scenario: METADATA, specVersion: '2025-06-18', reason: /answered 404 not_found; at 2025-06-18 MCP needs RFC 8414 metadata/ },
  { check: 'metadata-json', defect: 'metadata-as-html', scenario: METADATA, reason: /answered 200 with Content-Type "text\/html"/ },
  { check: 'metadata-issuer', defect: 'issuer-trailing-slash', scenario: METADATA, reason: new RegExp(`names issuer "${ISSUER}/", not "${ISSUER}"`) },
  { check: 'metadata-endpoints', defect: 'no-response-types', scenario: METADATA, reason: /response_types_supported is missing/ },
  // The server serves one document at both well-known URLs, so OpenID Connect discovery lacks S256 as well.
  { check: 'metadata-pkce-s256', defect: 'no-pkce-methods', scenario: METADATA, reason: /RFC 8414 document has no code_challenge_methods_supported/, alsoFails: ['metadata-oidc-consistent'] },
  { check: 'metadata-oidc-consistent', defect: 'oidc-without-pkce', scenario: METADATA, reason: /OpenID Connect discovery document does not list S256/ },
  { check: 'metadata-no-empty-claims', defect: 'empty-list-claim', scenario: METADATA, reason: /has empty ui_locales_supported/ },
  { check: 'metadata-signing-algorithms', defect: 'signing-alg-none', scenario: METADATA, reason: /token_endpoint_auth_signing_alg_values_supported lists "none"/ },
  { check: 'metadata-grant-types', defect: 'implicit-advertised', scenario: METADATA, reason: /lists implicit/ },
  { check: 'metadata-public-clients', defect: 'no-public-clients-advertised', scenario: METADATA, reason: /\["client_secret_basic"\], without none/ },
  // Registration
  { check: 'registration-accepts-mcp-client', defect: 'application-type-required', scenario: REGISTRATION, reason: /without-application-type was refused: 400 invalid_client_metadata/ },
  { check: 'registration-response', defect: 'registration-200', scenario: REGISTRATION, reason: /register:mcp-client answered 200, not 201 Created/ },
  { check: 'registration-ignores-unknown-metadata', defect: 'unknown-metadata-refused', scenario: REGISTRATION, reason: /one unknown field was refused: 400 invalid_client_metadata/ },
  { check: 'registration-redirect-uri-rules', defect: 'http-redirect-accepted', scenario: REGISTRATION, reason: /redirect URI "http:\/\/mcp-auth-conformance\.example\/callback" was registered \(201\)/ },
  { check: 'registration-invalid-metadata', defect: 'list-fields-unchecked', scenario: REGISTRATION, reason: /registered and returned as "authorization_code"/ },
  { check: 'registration-error-shape', defect: 'html-on-malformed-json', scenario: REGISTRATION, reason: /register:malformed-json answered 400 with text\/html, not a JSON object/ },
  { check: AUTHORIZATION_SERVER_CHECK, defect: 'dies-on-malformed-json', scenario: REGISTRATION, reason: /process exited with code 1 during this scenario; on stderr: .*a registration body is not JSON/ },
  // Client ID metadata documents. Documents never read cannot hold their clients to anything, so every document client gets a code.
  {
    check: 'cimd-document-fetched',
    defect: 'cimd-not-fetched',
    scenario: CIMD,
    reason: /granted a code to client_id https:\/\/127\.0\.0\.1:\d+\/cimd\/client\.json without fetching its document/,
    alsoFails: ['cimd-redirect-uri-checked', 'cimd-client-id-matches', 'cimd-no-shared-secret', 'cimd-fetch-failure-aborts'],
  },
  { check: 'cimd-client-accepted', defect: 'cimd-refused', scenario: CIMD, reason: /the client of a valid document was refused: .*answered 400/ },
  { check: 'cimd-redirect-uri-checked', defect: 'cimd-redirect-unchecked', scenario: CIMD, reason: /a redirect URI the document does not list got a code/ },
  { check: 'cimd-client-id-matches', defect: 'cimd-client-id-unchecked', scenario: CIMD, reason: /the client of a document naming another client_id got a code/ },
  { check: 'cimd-no-shared-secret', defect: 'cimd-shared-secret-accepted', scenario: CIMD, reason: /token_endpoint_auth_method client_secret_basic got a code/ },
  { check: 'cimd-fetch-failure-aborts', defect: 'cimd-fetch-failure-ignored', scenario: CIMD, reason: /a client whose document answers 404 got a code/ },
  // The authorization endpoint
  { check: 'authorization-completes', defect: 'state-charset-refused', scenario: AUTHORIZE, reason: /the valid request did not come back with a code: .* error=invalid_request \(state has characters/ },
  { check: 'authorization-state-echoed', defect: 'state-not-echoed', scenario: AUTHORIZE, reason: /came back as nothing/ },
  // authorization-iss-sent asks the same of every response, errors included.
  { check: 'authorization-iss-consistent', defect: 'no-iss-in-errors', scenario: AUTHORIZE, reason: /the metadata advertises iss, but this error response has none/, alsoFails: ['authorization-iss-sent'] },
  { check: 'authorization-iss-sent', defect: 'no-iss', scenario: AUTHORIZE, reason: /authorize:valid has no iss/ },
  { check: 'authorization-pkce-required', defect: 'pkce-not-required', scenario: AUTHORIZE, reason: /a request without code_challenge got a code/ },
  { check: 'authorization-pkce-unknown-method', defect: 'unknown-method-accepted', scenario: AUTHORIZE, reason: /code_challenge_method=S512 got a code/ },
  { check: 'authorization-pkce-plain-refused', defect: 'plain-accepted', scenario: AUTHORIZE, reason: /code_challenge_method=plain got a code/ },
  { check: 'authorization-redirect-uri-exact', defect: 'redirect-prefix-match', scenario: AUTHORIZE, reason: /redirect-uri-path-changed \(http:\/\/127\.0\.0\.1:45781\/callback\/elsewhere\) got a code/ },
  { check: 'authorization-unknown-client-refused', defect: 'unknown-client-granted', scenario: AUTHORIZE, reason: /a request for client_id mcp-auth-conformance-no-such-client got a code/ },
  { check: 'authorization-errors-not-redirected', defect: 'errors-redirected', scenario: AUTHORIZE, reason: /sent the browser to http:\/\/127\.0\.0\.1:45781\/callback\/elsewhere with error=invalid_request: an open redirector/ },
  { check: 'authorization-loopback-any-port', defect: 'loopback-port-exact', scenario: AUTHORIZE, reason: /on another port \(http:\/\/127\.0\.0\.1:54321\/callback\) was refused/ },
  { check: 'authorization-implicit-refused', defect: 'implicit-token', scenario: AUTHORIZE, reason: /response_type=token issued an access token in the fragment/ },
  { check: 'authorization-resource-fragment-refused', defect: 'resource-fragment-accepted', scenario: AUTHORIZE, reason: /a resource with a fragment got a code/ },
  // The token endpoint
  { check: 'token-code-redeemed', defect: 'code-expiry-in-seconds', scenario: TOKEN, reason: /the code redemption was answered 400 invalid_grant \("the code has expired"\)/ },
  { check: 'token-response-shape', defect: 'no-cache-control', scenario: TOKEN, reason: /Cache-Control \(none\), without no-store/ },
  { check: 'token-expires-in', defect: 'long-lived-access-tokens', scenario: TOKEN, reason: /access tokens live 604800 s, longer than a day/ },
  { check: 'token-pkce-verified', defect: 'verifier-not-checked', scenario: TOKEN, reason: /a redemption with the wrong code_verifier was answered with tokens \(200\)/ },
  { check: 'token-redirect-uri-bound', defect: 'redirect-uri-not-checked', scenario: TOKEN, reason: /a redemption with another redirect_uri was answered with tokens \(200\)/ },
  { check: 'token-code-single-use', defect: 'code-reusable', scenario: TOKEN, reason: /the second redemption of a code was answered with tokens \(200\)/ },
  { check: 'token-error-shape', defect: 'crash-on-wrong-verifier', scenario: TOKEN, reason: /wrong-verifier:token answered 500, not 400/ },
  { check: 'token-error-code', defect: 'wrong-error-code', scenario: TOKEN, reason: /wrong-redirect-uri:token refused with invalid_request, not invalid_grant/ },
  { check: 'token-replay-revokes', defect: 'replay-not-revoking', scenario: TOKEN, reason: /refresh token of its first redemption still works \(200\)/ },
  { check: 'token-replay-revokes', defect: 'revoke-no-op', scenario: TOKEN, reason: /refresh token of its first redemption still works \(200\)/ },
  { check: 'token-audience', defect: 'aud-not-resource', scenario: TOKEN, reason: new RegExp(`aud is "${ISSUER}", not the resource ${RESOURCE}`) },
  { check: 'token-audience', defect: 'introspection-aud-not-resource', scenario: TOKEN, env: OPAQUE, reason: new RegExp(`introspection says the access token's aud is "${ISSUER}", not the resource ${RESOURCE}`) },
  { check: 'token-foreign-resource-refused', defect: 'foreign-resource-accepted', scenario: TOKEN, reason: /granted for http:\/\/127\.0\.0\.1:3000\/mcp was redeemed for https:\/\/other-resource\.mcp-auth-conformance\.example\/mcp/ },
  // Refresh tokens
  { check: 'refresh-token-issued', defect: 'no-refresh-token', scenario: REFRESH, reason: /the code redemption issued no refresh token/ },
  { check: 'refresh-token-rotated', defect: 'no-rotation', scenario: REFRESH, reason: /answered with the same refresh token it was given/ },
  { check: 'refresh-superseded-refused', defect: 'superseded-accepted', scenario: REFRESH, reason: /superseded twice over, was accepted again \(200\)/ },
  { check: 'refresh-reuse-revokes-family', defect: 'reuse-not-revoking', scenario: REFRESH, reason: /the family's newest token still works \(200\)/ },
  { check: 'refresh-reuse-revokes-family', defect: 'revoke-no-op', scenario: REFRESH, reason: /the family's newest token still works \(200\)/ },
  { check: 'refresh-scope-not-widened', defect: 'scope-widened', scenario: REFRESH, reason: /the refresh granted mcp-auth-conformance:not-granted/ },
  { check: 'refresh-scope-narrowed', defect: 'narrowing-ignored', scenario: REFRESH, reason: /a refresh asking for "mcp" got an access token for "mcp mcp:tools": mcp:tools was not asked for/ },
  { check: 'refresh-audience', defect: 'aud-not-resource', scenario: REFRESH, reason: new RegExp(`refreshed access token's aud is "${ISSUER}", not ${RESOURCE}`) },
  // Races: the defects are in how the store is used, and show only because it awaits I/O.
  { check: 'code-race-single-use', defect: 'code-check-then-set', scenario: CODE_RACE, reason: /one code was redeemed [2-8] times by [2-8] simultaneous requests/ },
  // Forked families are several live successors, so several distinct successors as well.
  { check: 'refresh-race-no-fork', defect: 'refresh-check-then-set', scenario: REFRESH_RACE, reason: /[2-8] different refresh tokens issued for one presented token still work/, alsoFails: ['refresh-race-one-successor'] },
  { check: 'refresh-race-one-successor', defect: 'grace-reissues', scenario: REFRESH_RACE, reason: /[2-8] of [2-8] simultaneous refreshes succeeded with [2-8] different successors/ },
  { check: 'refresh-race-winner-survives', defect: 'no-grace', scenario: REFRESH_RACE, reason: /1 refresh\(es\) succeeded, yet afterwards no successor works/ },
];

interface Run {
  defects: AuthorizationServerDefect[];
  scenarios: string[];
  specVersion: SelectableSpecVersion;
  env?: Record<string, string>;
}

const runKey = (row: Row): string => [`${row.defect}@${row.specVersion ?? SPEC_VERSION}`, ...Object.entries(row.env ?? {}).map(([name, value]) => `${name}=${value}`)].join(' ');

/** One run per defect (and spec version), with the scenarios of all its rows, in the suite's order. */
function runsOf(rows: readonly Row[]): Map<string, Run> {
  const runs = new Map<string, Run>();
  for (const row of rows) {
    const key = runKey(row);
    const run = runs.get(key) ?? { defects: [row.defect], scenarios: [], specVersion: row.specVersion ?? SPEC_VERSION, ...(row.env ? { env: row.env } : {}) };
    if (!run.scenarios.includes(row.scenario)) run.scenarios.push(row.scenario);
    runs.set(key, run);
  }
  const order = authorizationServerScenarios.map((s) => s.id);
  for (const run of runs.values()) run.scenarios.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return runs;
}

const RUNS = runsOf(ROWS);
const CORRECT: Run = { defects: [], scenarios: authorizationServerScenarios.map((s) => s.id), specVersion: SPEC_VERSION };
/** The correct server with opaque access tokens: the token scenarios, refresh and races included, since they all issue one. */
const CORRECT_OPAQUE: Run = { defects: [], scenarios: [TOKEN, REFRESH, CODE_RACE, REFRESH_RACE], specVersion: SPEC_VERSION, env: OPAQUE };
function execute(run: Run): Promise<Report> {
  return runAuthorizationServerScenarios({
    target: { command: `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, AUTHORIZATION_SERVER_MUTANT.compiled))}` },
    scenarios: authorizationServerScenarios.filter((s) => run.scenarios.includes(s.id)),
    specVersion: run.specVersion,
    strict: false,
    resource: DEFAULT_RESOURCE,
    redirectUri: DEFAULT_REDIRECT_URI,
    // Only a hung server waits this long.
    timeoutMs: 45_000,
    startTimeoutMs: 30_000,
    redact: true,
    // Set explicitly, so that AS_DEFECTS or AS_TOKEN_FORMAT left in the developer's shell cannot leak in.
    env: { AS_DEFECTS: run.defects.join(','), AS_TOKEN_FORMAT: '', ...run.env },
    // A fixed seed, so that a race found once is found on every run; no shrinking, since a race
    // shrinks slowly and the first counterexample already says what the row needs.
    property: { runs: 5, seed: 20261202, shrink: false },
  });
}

/** Every run's report, run by LANES workers taking the runs in order, each run once. */
function scheduled(runs: Array<[string, Run]>): Map<string, Promise<Report>> {
  const settle = new Map<string, { resolve: (report: Report) => void; reject: (error: unknown) => void }>();
  const reports = new Map(runs.map(([key]) => [key, new Promise<Report>((resolve, reject) => settle.set(key, { resolve, reject }))]));
  const queue = [...runs];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { resolve, reject } = settle.get(next[0])!;
      await execute(next[1]).then(resolve, reject);
    }
  };
  for (let i = 0; i < LANES; i++) void worker();
  return reports;
}

let reports: Map<string, Promise<Report>>;

beforeAll(() => {
  ensureCompiled(AUTHORIZATION_SERVER_MUTANT);
  reports = scheduled([['correct', CORRECT], ['correct-opaque', CORRECT_OPAQUE], ...RUNS.entries()]);
  // A failing run is reported by the tests that read it, not as an unhandled rejection here.
  for (const report of reports.values()) report.catch(() => undefined);
}, TEST_TIMEOUT_MS);

type Judged = CheckResult & { scenario: string };

const checksOf = (report: Report): Judged[] => report.scenarios.flatMap((s) => s.checks.map((c) => ({ scenario: s.id, ...c })));
const failing = (c: CheckResult): boolean => c.status === 'fail' || c.status === 'warn';
const line = (c: Judged): string => `${c.scenario} ${c.id} ${c.status}: ${c.message}`;

describe('the correct authorization server', () => {
  it(`passes the whole suite at ${SPEC_VERSION}, warning only where it is known to`, async () => {
    const report = await reports.get('correct')!;
    expect(report.stoppedEarly).toBeUndefined();
    expect(report.scenarios.filter((s) => s.status === 'skip').map((s) => `${s.id}: ${s.skipReason}`)).toEqual([]);
    const checks = checksOf(report);
    expect(checks.filter((c) => c.status === 'fail' || c.status === 'not-reached').map(line)).toEqual([]);
    expect(checks.filter((c) => c.status === 'warn').map((c) => c.id)).toEqual(CORRECT_WARNS);
    // Passing, not merely skipped: each check saw what it judges.
    const all = authorizationServerScenarios.flatMap((s) => s.checks.map((c) => c.id));
    expect(all.filter((id) => !checks.some((c) => c.id === id && c.status === 'pass') && !CORRECT_WARNS.includes(id))).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('with opaque access tokens, passes every check of the code redemption, the audience judged by introspection', async () => {
    const report = await reports.get('correct-opaque')!;
    expect(report.stoppedEarly).toBeUndefined();
    const checks = checksOf(report);
    expect(checks.filter((c) => failing(c) || c.status === 'not-reached').map(line)).toEqual([]);
    const scenario = authorizationServerScenarios.find((s) => s.id === TOKEN)!;
    expect(scenario.checks.filter((check) => !checks.some((c) => c.scenario === TOKEN && c.id === check.id && c.status === 'pass')).map((check) => check.id)).toEqual([]);
    const audience = checks.find((c) => c.scenario === TOKEN && c.id === 'token-audience')!;
    expect(audience.message).toMatch(new RegExp(`^introspection says aud includes ${RESOURCE}$`));
    expect(audience.evidence.length).toBeGreaterThan(0);
  }, TEST_TIMEOUT_MS);
});

describe('the defect catalogue', () => {
  it('has a row for every check of the suite, and each row names a check of its scenario', () => {
    const all = authorizationServerScenarios.flatMap((s) => s.checks.map((c) => c.id));
    const proven = new Set(ROWS.map((row) => row.check));
    expect(all.filter((id) => !proven.has(id))).toEqual([]);
    for (const row of ROWS) {
      const scenario = authorizationServerScenarios.find((s) => s.id === row.scenario);
      expect(scenario, `${row.defect}: no scenario ${row.scenario}`).toBeDefined();
      const ids = [AUTHORIZATION_SERVER_CHECK, ...scenario!.checks.map((c) => c.id)];
      expect(ids, `${row.defect}: ${row.check} is not a check of ${row.scenario}`).toContain(row.check);
      for (const also of row.alsoFails ?? []) expect(ids, `${row.defect}: ${also} is not a check of ${row.scenario}`).toContain(also);
    }
  });

  it('uses every defect the mutant knows, and only those', () => {
    const used = new Set<string>(ROWS.map((row) => row.defect));
    expect(Object.keys(AUTHORIZATION_SERVER_DEFECTS).filter((defect) => !used.has(defect))).toEqual([]);
    for (const defect of used) expect(Object.keys(AUTHORIZATION_SERVER_DEFECTS)).toContain(defect);
  });
});

describe('each defect', () => {
  it.each(ROWS.map((row) => [`${row.defect} ${row.check === AUTHORIZATION_SERVER_CHECK ? 'stops' : 'fails'} ${row.check}`, row] as const))(
    '%s',
    async (_name, row) => {
      const report = await reports.get(runKey(row))!;
      const checks = checksOf(report);
      const target = checks.filter((c) => c.id === row.check && c.scenario === row.scenario);
      expect(target.length, `${row.check} was not judged: ${report.stoppedEarly ?? 'the scenario did not run'}`).toBe(1);
      const [judged] = target;
      expect(judged.status, line(judged)).toBe(judged.level === 'MUST' ? 'fail' : 'warn');
      expect(judged.message).toMatch(row.reason);
      if (judged.id !== AUTHORIZATION_SERVER_CHECK) expect(judged.evidence.length, `${judged.id} names no exchange`).toBeGreaterThan(0);
      // The run proves every row of its defect; none may fail beyond those and their consequences.
      const sameRun = ROWS.filter((other) => runKey(other) === runKey(row));
      const allowed = new Set([...sameRun.flatMap((other) => [other.check, ...(other.alsoFails ?? [])]), ...CORRECT_WARNS]);
      expect(checks.filter((c) => failing(c) && !allowed.has(c.id)).map(line)).toEqual([]);
      for (const also of row.alsoFails ?? []) expect(checks.some((c) => c.id === also && failing(c)), `${also} is listed as a consequence but does not fail`).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

import { describe, expect, it } from 'vitest';
import { applyExpectedFailures, parseExpectedFailures } from '../../core/expected-failures.js';
import { renderConsole } from '../../reporters/console.js';
import { check, deadOnArrivalReport, interruptedReport, report, sampleReport, scenario } from '../support/report-fixtures.js';

const plain = (r = sampleReport(), verbose = false) => renderConsole(r, { color: false, verbose });
const lines = (text: string) => text.trimEnd().split('\n');
const ESC = '\u001b';

describe('console reporter', () => {
  it('collapses a fully passing scenario to one line with its check count', () => {
    const out = lines(plain());
    expect(out).toContain('PASS auth/metadata-default (3 checks, 812 ms)');
    expect(out.some((l) => l.includes('prm-fetched') && l.includes('PRM fetched from the challenge URL'))).toBe(false);
  });

  it('lists every check of a failing scenario with its status, id, requirements and message', () => {
    const out = plain();
    expect(out).toContain('FAIL auth/pkce-and-resource — PKCE S256 and resource indicators (6 checks, 2 fail, 2 warn, 1 skip, 1.2 s)');
    expect(out).toContain('  ✓ PASS  pkce-challenge-present [C-PKCE-01] code_challenge present');
    expect(out).toContain('  ✗ FAIL  pkce-s256 [MUST C-PKCE-03] the authorization request used code_challenge_method "plain"');
    expect(out).toContain('  ! WARN  bearer-scheme [SHOULD C-TOK-02] scheme written in lower case');
    expect(out).toContain('  - SKIP  refresh-rotation [C-REF-02] the authorization server issued no refresh token');
  });

  it('shows the offending request and the wrong part for failures and warnings', () => {
    const out = lines(plain());
    const at = out.findIndex((l) => l.includes('FAIL  pkce-s256'));
    expect(out[at + 1]).toMatch(/^ {8}#4 browser authorize: GET http:\/\/127\.0\.0\.1:41001\/authorize\?response_type=code.*… → 302$/);
    expect(out[at + 2]).toBe('          query.code_challenge_method = "plain" — must be S256');
    expect(out).toContain('          form.resource: (absent) — expected http://127.0.0.1:41002/mcp');
    expect(out).toContain('          header.authorization = "bearer at-1" — RFC 6750 spells it Bearer');
    expect(out).toContain('          body.issuer (response) = "http://127.0.0.1:41001/other" — expected http://127.0.0.1:41001');
    expect(out).toContain('          status = 401');
    expect(out.some((l) => l.startsWith('          response.header.www-authenticate = "Bearer resource_metadata='))).toBe(true);
    // Request lines are cut to fit; nothing the report holds makes a line run past the width.
    for (const line of out.filter((l) => /#\d+ /.test(l))) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('shows process problems with the output tails, cleaned of control characters', () => {
    const out = plain();
    expect(out).toContain('  client-1 exited with code 1 after 2.2 s');
    expect(out).toContain('    stderr (last 4 lines):');
    expect(out).toContain('    │ Error: could not reach the token endpoint');
    expect(out).toContain('    │ downloading 100%');
    expect(out).toContain('    │ bell\\x07 and nul\\x00 and escape\\x1bX and \ufffd');
    expect(out).toContain('  client-1 timed out after 30.0 s');
    expect(out).toContain('    stderr: (empty)');
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('shows why a scenario was skipped', () => {
    expect(plain()).toContain('SKIP auth/2025-03-26-oauth-metadata-backcompat (not applicable at spec version 2026-07-28)');
  });

  it('ends with the summary line', () => {
    const out = lines(plain());
    expect(out.at(-1)).toBe('5 scenarios: 1 passed, 3 failed, 1 skipped · 11 checks: 5 pass, 3 fail, 2 warn, 1 skip · 0 expected failures · 5.2 s');
    expect(out[0]).toBe('mcp-auth-conformance 0.1.0 · client · spec 2026-07-28 · target: node ./my-client.js');
  });

  it('shows expected failures and stale baseline entries', () => {
    const baseline = parseExpectedFailures(
      'client:\n  - auth/pkce-and-resource:pkce-s256\n  - auth/token-endpoint-auth-basic\n  - auth/metadata-default:prm-fetched\n',
      'baseline.yml',
    );
    const out = lines(plain(applyExpectedFailures(sampleReport(), baseline)));
    expect(out).toContain('  ~ XFAIL pkce-s256 [C-PKCE-03] the authorization request used code_challenge_method "plain" (expected failure)');
    // An expected failure is not explained again unless asked for.
    const at = out.findIndex((l) => l.includes('XFAIL pkce-s256'));
    expect(out[at + 1]).toMatch(/^ {2}✗ FAIL {2}resource-in-token-request/);
    // A scenario whose only failure is expected passes; its crash is only listed in verbose mode.
    expect(out).toContain('PASS auth/token-endpoint-auth-basic (2 checks, 1 expected failure, 2.2 s)');
    expect(out.slice(-3)).toEqual([
      'Stale expected-failure entries (they no longer fail; remove them from the baseline):',
      '  auth/metadata-default:prm-fetched',
      '5 scenarios: 2 passed, 2 failed, 1 skipped · 11 checks: 5 pass, 1 fail, 2 warn, 1 skip · 2 expected failures · 1 stale baseline entry · 5.2 s',
    ]);
  });

  it('says when the run was interrupted', () => {
    const out = lines(plain(interruptedReport()));
    expect(out).toContain('SKIP auth/pkce-and-resource (interrupted)');
    expect(out).toContain('Interrupted: the run was cut short; these results hold the scenarios that finished.');
    expect(out.at(-1)).toBe('2 scenarios: 1 passed, 0 failed, 1 skipped · 3 checks: 3 pass, 0 fail, 0 warn · 0 expected failures · 1.1 s');
  });

  it('expands everything in verbose mode: passing checks, whole URLs, spec links, exchange logs, full tails', () => {
    const out = lines(plain(sampleReport(), true));
    expect(out).toContain('PASS auth/metadata-default — Discovery through the 401 challenge (3 checks, 812 ms)');
    expect(out).toContain('  ✓ PASS  prm-fetched [C-PRM-01] PRM fetched from the challenge URL');
    expect(out).toContain('        #4 browser authorize: → 302');
    expect(out).toContain('          GET http://127.0.0.1:41001/authorize');
    expect(out).toContain('              &code_challenge_method=plain');
    expect(out).toContain('        see https://modelcontextprotocol.io/specification/2026-07-28/basic/authorization#authorization-code-protection');
    expect(out).toContain('  exchanges (7):');
    expect(out.some((l) => l.startsWith('    #6 client-1 token: POST http://127.0.0.1:41001/token → 200 +90 ms'))).toBe(true);
    expect(out.every((l) => !l.includes('…') || !l.includes('code_challenge_method=plain'))).toBe(true);
  });

  it('keeps every line of a long tail in verbose mode only', () => {
    const long = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n');
    const r = report([
      scenario({
        id: 'auth/noisy',
        checks: [check({ id: 'x', status: 'fail' })],
        processes: [{ actor: 'client-1', command: 'c', exitCode: 2, signal: null, timedOut: false, durationMs: 5, stdoutTail: long, stderrTail: '' }],
      }),
    ]);
    expect(plain(r)).toContain('    stdout (last 12 lines):');
    expect(plain(r)).not.toContain('│ line 28\n');
    expect(plain(r, true)).toContain('    stdout (last 40 lines):');
    expect(plain(r, true)).toContain('│ line 1\n');
  });

  it('colours only when asked', () => {
    expect(plain()).not.toContain(ESC);
    const coloured = renderConsole(sampleReport(), { color: true, verbose: false });
    expect(coloured).toContain(ESC);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain());
  });

  it('escapes control characters in anything the target wrote', () => {
    const r = report([
      scenario({
        id: 'auth/evil',
        checks: [check({ id: 'x', status: 'fail', message: 'bad\u001b[2J\u0007 value\nsecond line' })],
        exchanges: [],
      }),
    ]);
    const out = plain(r);
    expect(out).toContain('✗ FAIL  x [MUST] bad\\x07 value second line');
    expect(out).not.toContain('\u001b');
  });
});

describe('console reporter, unusual scenarios', () => {
  it('says so when a scenario failed although none of its checks did', () => {
    const r = report([scenario({ id: 'auth/odd', status: 'fail', checks: [check({ id: 'x' })] })]);
    expect(plain(r)).toContain('  the scenario failed, but none of its checks did: the cause lies outside the checks');
  });

  it('shows a client that died before its first request once, and the checks it left undone on one line', () => {
    const out = lines(plain(deadOnArrivalReport()));
    expect(out.filter((l) => l.includes('FAIL') && l.includes('client-process'))).toHaveLength(1);
    expect(out.filter((l) => l.includes('NOT REACHED'))).toEqual([
      '  ○ NOT REACHED 4 checks left undone by the failure of client-process: prm-discovered, pkce-code-challenge-sent, resource-in-token-request, token-sent-as-bearer',
    ]);
    expect(out.some((l) => l.includes('the client never got that far'))).toBe(false);
    expect(out.at(-1)).toMatch(/^1 scenario: 0 passed, 1 failed · 5 checks: 0 pass, 1 fail, 0 warn, 4 not reached · 0 expected failures · /);
    // Verbose keeps every message, under the one line.
    expect(plain(deadOnArrivalReport(), true)).toContain('token-sent-as-bearer: token-sent-as-bearer: the client never got that far');
  });
});

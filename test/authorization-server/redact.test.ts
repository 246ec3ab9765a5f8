// Reports of real authorization servers must not hand out live credentials: every credential the run
// saw becomes a fingerprint, wherever in the report it appears, and the same credential always the same one.
import { describe, expect, it } from 'vitest';
import { fingerprint, Redactor } from '../../core/redact.js';
import type { ScenarioResult } from '../../core/report.js';

const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const refresh = 'rt/with+odd=chars&more';
const password = 'correct horse battery staple';

function scenario(): ScenarioResult {
  return {
    id: 'as/refresh',
    title: 't',
    description: 'd',
    status: 'fail',
    protocolVersion: '2026-07-28',
    durationMs: 1,
    processes: [{ actor: 'login-command', command: `login --password '${password}'`, exitCode: 0, signal: null, timedOut: false, durationMs: 1, stdoutTail: `http://127.0.0.1/cb?code=${encodeURIComponent(refresh)}`, stderrTail: '' }],
    checks: [{ id: 'c', title: 't', requirements: [], level: 'MUST', specVersions: [], specLinks: [], status: 'fail', message: `the refresh token ${refresh} was accepted twice`, evidence: [{ exchange: 1, part: 'form.refresh_token', note: `was ${refresh}` }] }],
    exchanges: [
      {
        id: 1,
        at: 0,
        durationMs: 1,
        actor: 'kit',
        server: 'target',
        role: 'token',
        request: {
          method: 'POST',
          url: `http://127.0.0.1/token?x=${encodeURIComponent(refresh)}`,
          headers: { authorization: 'Basic Y2xpZW50OnNlY3JldA==', cookie: 'session=abc123def; theme=dark' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh }).toString(),
        },
        response: { status: 200, headers: { 'set-cookie': 'session=zzz999yyy; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT' }, body: JSON.stringify({ access_token: token, refresh_token: refresh, token_type: 'Bearer' }) },
      },
    ],
  };
}

describe('Redactor', () => {
  const redacted = new Redactor([token, refresh, password, 'ok']).scenario(scenario());
  const text = JSON.stringify(redacted);

  it('leaves no credential the run saw anywhere: bodies, URLs, form encoding, messages, evidence, process output', () => {
    for (const secret of [token, refresh, encodeURIComponent(refresh), new URLSearchParams({ v: refresh }).toString().slice(2), password]) expect(text).not.toContain(secret);
    expect(redacted.checks[0].message).toBe(`the refresh token [redacted ${fingerprint(refresh)}] was accepted twice`);
    expect(redacted.checks[0].evidence[0].note).toBe(`was [redacted ${fingerprint(refresh)}]`);
    expect(redacted.processes[0].command).toBe(`login --password '[redacted ${fingerprint(password)}]'`);
  });

  it('gives one credential one fingerprint everywhere, so evidence still says which token was which', () => {
    const mark = `[redacted ${fingerprint(refresh)}]`;
    expect(redacted.exchanges[0].request.body).toContain(`refresh_token=${mark}`);
    expect(JSON.parse(redacted.exchanges[0].response!.body!)).toMatchObject({ access_token: `[redacted ${fingerprint(token)}]`, refresh_token: mark, token_type: 'Bearer' });
    expect(fingerprint(refresh)).toMatch(/^[0-9a-f]{8}$/);
  });

  it('redacts header credentials it never saw issued (Basic, cookies) and keeps cookie attributes readable', () => {
    const { headers } = redacted.exchanges[0].request;
    expect(headers.authorization).toBe(`Basic [redacted ${fingerprint('Y2xpZW50OnNlY3JldA==')}]`);
    expect(headers.cookie).toBe(`session=[redacted ${fingerprint('abc123def')}]; theme=[redacted ${fingerprint('dark')}]`);
    expect(redacted.exchanges[0].response!.headers['set-cookie']).toBe(`session=[redacted ${fingerprint('zzz999yyy')}]; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT`);
  });

  it('leaves values too short to be credentials alone', () => {
    expect(redacted.exchanges[0].request.body).toContain('grant_type=refresh_token');
    expect(redacted.exchanges[0].response!.body).toContain('"token_type":"Bearer"');
  });
});

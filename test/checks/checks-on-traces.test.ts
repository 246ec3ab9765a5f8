import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pkceFreshPerAttempt, pkceVerifierMatches } from '../../suites/client/checks/pkce.js';
import { tokenEndpointAuth } from '../../suites/client/checks/registration.js';
import { issWrongRejected, issMatchingAccepted } from '../../suites/client/checks/response.js';
import { respondsTo401, tokenOnEveryRequest } from '../../suites/client/checks/token-use.js';
import { AS, RS, facts, formBody, trace, withRuns, type Step } from '../support/trace-builder.js';

const verifier = 'a'.repeat(43);
const challenge = createHash('sha256').update(verifier).digest('base64url');
const redirect = 'http://127.0.0.1:5000/callback';

function authorize(code: string, params: Record<string, string> = {}) {
  const q = new URLSearchParams({ client_id: 'c1', code_challenge: challenge, code_challenge_method: 'S256', state: 's', ...params });
  return { role: 'authorize' as const, url: `${AS}/authorize?${q}`, status: 302, responseHeaders: { location: `${redirect}?code=${code}&state=s` } };
}

function redeem(code: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const body = formBody({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: 'c1', ...extra });
  return { role: 'token' as const, method: 'POST', url: `${AS}/token`, headers: { ...body.headers, ...headers }, body: body.body, responseBody: { access_token: 'at1', token_type: 'Bearer' } };
}

describe('pkce-verifier-matches-challenge', () => {
  it('pairs each redemption with the authorization request that issued its code', () => {
    const t = trace(facts(), [authorize('code-1'), redeem('code-1')]);
    expect(pkceVerifierMatches.judge(t).outcome).toBe('met');
  });

  it('names both the verifier and the challenge when they do not match', () => {
    const t = trace(facts(), [authorize('code-1', { code_challenge: 'x'.repeat(43) }), redeem('code-1')]);
    const finding = pkceVerifierMatches.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding).toMatchObject({ evidence: [{ exchange: 2, part: 'form.code_verifier' }, { exchange: 1, part: 'query.code_challenge' }] });
  });
});

describe('token-endpoint-auth-method', () => {
  const registered = {
    role: 'register' as const,
    method: 'POST',
    url: `${AS}/register`,
    status: 201,
    responseBody: { client_id: 'id:with/reserved', client_secret: 's&cret', token_endpoint_auth_method: 'client_secret_basic' },
  };
  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

  it('accepts Basic credentials form-urlencoded as RFC 6749 §2.3.1 requires', () => {
    const t = trace(facts(), [registered, authorize('k', { client_id: 'id:with/reserved' }), redeem('k', { client_id: '' }, basic('id%3Awith%2Freserved', 's%26cret'))]);
    expect(tokenEndpointAuth.judge(t).outcome).toBe('met');
  });

  it('rejects a secret sent in the body when Basic was registered', () => {
    const t = trace(facts(), [registered, authorize('k'), redeem('k', { client_id: 'id:with/reserved', client_secret: 's&cret' })]);
    const finding = tokenEndpointAuth.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding.message).toContain('client_secret_basic');
  });
});

describe('iss checks', () => {
  it('fails a client that redeems the code of a mix-up response, pointing at the response and the redemption', () => {
    const t = trace(facts(), [authorize('k'), redeem('k')]);
    const finding = issWrongRejected.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding).toMatchObject({ evidence: [{ exchange: 1 }, { exchange: 2, part: 'form.code' }] });
  });

  it('fails a client that throws away a valid response', () => {
    expect(issMatchingAccepted.judge(trace(facts(), [authorize('k')])).outcome).toBe('unmet');
  });

  it('cannot pass when no code was ever issued', () => {
    expect(issWrongRejected.judge(trace(facts(), [])).outcome).toBe('missing');
  });
});

describe('token-on-every-request', () => {
  it('lists each MCP request after authorization that lacked the token', () => {
    const mcp = (auth?: string) => ({ role: 'mcp' as const, method: 'POST', url: `${RS}/mcp`, headers: auth ? { authorization: auth } : ({} as Record<string, string>), body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    const t = trace(facts(), [{ ...mcp(), status: 401 }, authorize('k'), redeem('k'), mcp('Bearer at1'), mcp()]);
    const finding = tokenOnEveryRequest.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding).toMatchObject({ evidence: [{ exchange: 5, part: 'header.authorization' }] });
  });
});

describe('pkce-fresh-per-attempt', () => {
  it('takes the same authorization URL fetched again before its code was redeemed for one attempt (a CLI checking the URL, then its browser)', () => {
    const t = trace(facts(), [authorize('code-1'), { ...authorize('code-2'), actor: 'browser' }, redeem('code-2')]);
    expect(pkceFreshPerAttempt.judge(t)).toMatchObject({ outcome: 'missing', precondition: { id: 'second-authorization' }, message: expect.stringContaining('the client made 1') });
  });

  it('fails a challenge presented again after a code of it was redeemed: a new attempt that reused it', () => {
    const t = trace(facts(), [authorize('code-1'), redeem('code-1'), authorize('code-2'), redeem('code-2')]);
    expect(pkceFreshPerAttempt.judge(t)).toMatchObject({ outcome: 'unmet', message: 'the same code_challenge was sent in two authorization attempts', evidence: [{ exchange: 3 }, { exchange: 1 }] });
  });

  it('passes two attempts with their own challenge and state', () => {
    const other = 'b'.repeat(43);
    const otherChallenge = createHash('sha256').update(other).digest('base64url');
    const t = trace(facts(), [authorize('code-1'), redeem('code-1'), authorize('code-2', { code_challenge: otherChallenge, state: 't' })]);
    expect(pkceFreshPerAttempt.judge(t)).toMatchObject({ outcome: 'met', message: '2 attempts, each with its own challenge and state' });
  });
});

describe('authorized-after-401', () => {
  const challenge = { role: 'mcp' as const, method: 'POST', url: `${RS}/mcp`, status: 401, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' };
  const listed = (token: string, status = 200) => ({ role: 'mcp' as const, method: 'POST', url: `${RS}/mcp`, status, headers: { authorization: `Bearer ${token}` }, body: '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' });

  it('judges the answer to the 401, not what the client does with the session: a retried tools/list accepted is enough', () => {
    const t = trace(facts(), [challenge, authorize('code-1'), redeem('code-1'), listed('at1')]);
    expect(respondsTo401.judge(t)).toMatchObject({ outcome: 'met', evidence: [{ exchange: 1 }, { exchange: 4 }] });
  });

  it('takes a 403 insufficient_scope for a token the server accepted: it asks for more scope, after authenticating it', () => {
    const denied = { ...listed('at1', 403), responseHeaders: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="mcp:write"' } };
    expect(respondsTo401.judge(trace(facts(), [challenge, authorize('code-1'), redeem('code-1'), denied])).outcome).toBe('met');
  });

  it('fails a client that never answered the 401 with an authorization, and one that left the code it was sent unredeemed', () => {
    expect(respondsTo401.judge(trace(facts(), [challenge]))).toMatchObject({ outcome: 'unmet', message: 'the client never answered the 401 (#1) with an authorization' });
    const callback = { role: 'callback' as const, url: `${redirect}?code=code-1&state=s`, status: 0, actor: 'browser' };
    const lost = trace(facts(), [challenge, { ...authorize('code-1'), actor: 'browser' }, callback]);
    lost.exchanges[2].response = undefined;
    expect(respondsTo401.judge(lost)).toMatchObject({
      outcome: 'unmet',
      message: 'after the 401 (#1) the authorization server issued a code (#2), delivered to its redirect URI (#3, nothing listening), and the client never redeemed it',
    });
  });

  describe('in every start, not only the first', () => {
    const first = [challenge, authorize('code-1'), redeem('code-1'), listed('at1')];
    const kept = (status: number) => ({ ...listed('at1', status), actor: 'client-2' });
    const refresh = (status: number, actor = 'client-2') => ({
      role: 'token' as const,
      method: 'POST',
      url: `${AS}/token`,
      actor,
      ...formBody({ grant_type: 'refresh_token', refresh_token: 'rt1', client_id: 'c1' }),
      status,
      responseBody: status === 200 ? { access_token: 'at2', token_type: 'Bearer' } : { error: 'invalid_grant' },
    });
    const twoStarts = (second: Step[], clientRefuses = false) =>
      withRuns(trace(facts(), [...first, ...second]), [
        { label: 'cold start', actors: ['client-1'] },
        { label: 'access revoked', actors: ['client-2'], clientRefuses },
      ]);

    it('fails a later start that gives up when its refresh token is refused, naming the start and the refused refresh', () => {
      const finding = respondsTo401.judge(twoStarts([kept(401), refresh(400)]));
      expect(finding).toMatchObject({
        outcome: 'unmet',
        message: 'client-2 (run 2 (access revoked)): after the 401 (#5) the server refused the client\'s refresh token (#6, 400), and the client never authorized again',
        evidence: [{ exchange: 5 }, { exchange: 6, part: 'response.status' }],
      });
    });

    it('does not take the refused token sent again for a retry after authorizing', () => {
      expect(respondsTo401.judge(twoStarts([kept(401), kept(401)]))).toMatchObject({ outcome: 'unmet', message: 'client-2 (run 2 (access revoked)): the client never answered the 401 (#5) with an authorization' });
    });

    it('passes a later start that refreshes, or adopts a token it did not fetch itself', () => {
      expect(respondsTo401.judge(twoStarts([kept(401), refresh(200), { ...listed('at2'), actor: 'client-2' }]))).toMatchObject({ outcome: 'met', message: expect.stringMatching(/^each of 2 client processes answered the 401 it drew/) });
      expect(respondsTo401.judge(twoStarts([kept(401), { ...listed('at9'), actor: 'client-2' }])).outcome).toBe('met');
    });

    it('does not judge a later start in which a correct client gives up (an outage)', () => {
      expect(respondsTo401.judge(twoStarts([kept(401), refresh(400)], true)).outcome).toBe('met');
    });
  });

  it('leaves a redeemed code whose token never came back missing: the check of what went wrong at the token endpoint carries the verdict', () => {
    const refused = { ...redeem('code-1'), status: 400, responseBody: { error: 'invalid_grant' } };
    expect(respondsTo401.judge(trace(facts(), [challenge, authorize('code-1'), refused])).outcome).toBe('missing');
  });
});

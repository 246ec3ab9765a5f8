import { HttpResponse } from 'msw';
import type { GrantHandler } from '../token.js';
import { familyRevokedHeader, refreshGenerationHeader } from '../diagnostics.js';
import { oauthError } from '../oauth-error.js';
import { strictRotation, type RefreshTokenPolicy } from '../refresh-policy.js';
import { refreshRejections, type RefreshRejection } from '../refresh-rejection.js';
import { resolveResource } from './resource.js';
import { tokenResponse } from './issue.js';

export interface RefreshGrantOptions {
  /** What a superseded token gets (default strict single use). */
  policy?: RefreshTokenPolicy;
  /** How a refused refresh token is answered (default 400 invalid_grant). */
  reject?: RefreshRejection;
  graceMs?: number;
  /** false: answer without a new refresh token and leave the presented one valid (RFC 6749 §6). */
  rotate?: boolean;
}

export const DEFAULT_REFRESH_GRACE_MS = 2000;

function scopeWithin(requested: string, granted: string | undefined): boolean {
  const allowed = new Set((granted ?? '').split(' ').filter(Boolean));
  return requested.split(' ').filter(Boolean).every((scope) => allowed.has(scope));
}

export function refreshTokenGrant(options: RefreshGrantOptions = {}): GrantHandler {
  const policy = options.policy ?? strictRotation;
  const reject = options.reject ?? refreshRejections.invalid_grant;
  const graceMs = options.graceMs ?? DEFAULT_REFRESH_GRACE_MS;
  const rotate = options.rotate ?? true;
  return async (as, { form, client }) => {
    const presented = form.get('refresh_token');
    if (!presented) return oauthError(400, 'invalid_request', 'refresh_token is required');
    const record = as.state.refreshTokens.get(presented);
    if (!record) return reject('unknown refresh token');
    const family = record.family;
    if (family.client_id !== client.client_id) return reject('refresh token was issued to another client');
    if (family.revoked) return reject('refresh token family revoked', family.revokedBy === 'reuse' ? familyRevokedHeader(record, 'earlier') : undefined);
    if (record.revoked) return reject('refresh token revoked: a later replay of its predecessor replaced it');

    const verdict = policy.judge(record, { now: Date.now(), graceMs, state: as.state });
    if (!verdict.accept) {
      if (!verdict.revokeFamily) return reject(verdict.description);
      family.revoked = true;
      family.revokedBy = 'reuse';
      return reject(verdict.description, familyRevokedHeader(record, 'now'));
    }

    // Checked before anything changes, so a refused request consumes nothing.
    const requestedScope = form.get('scope');
    if (requestedScope !== null && !scopeWithin(requestedScope, family.scope)) {
      return oauthError(400, 'invalid_scope', 'scope exceeds the original grant');
    }
    const target = resolveResource(as, form, family.resource);
    if ('failure' in target) return target.failure;

    if (verdict.successor === 'replay') {
      const previous = verdict.record;
      if (!previous.issuedWith) throw new Error('no response to replay for a refresh token that was never issued');
      return HttpResponse.json(await previous.issuedWith, { headers: refreshGenerationHeader(previous, 'replayed') });
    }

    const grant = { client_id: client.client_id, scope: requestedScope ?? family.scope, resource: target.resource };
    if (!rotate) return tokenResponse(as, grant, undefined, refreshGenerationHeader(record, 'kept'));

    // Revoked before the new one exists, so it is not among the successors it revokes.
    const replaced = verdict.revokeEarlierSuccessors ? as.state.liveChildren(record) : [];
    for (const sibling of replaced) sibling.revoked = true;
    const next = as.state.issueSuccessor(record, verdict.supersede);
    return tokenResponse(as, grant, next, refreshGenerationHeader(next, 'issued', replaced.length));
  };
}

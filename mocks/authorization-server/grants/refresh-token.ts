import type { GrantHandler } from '../token.js';
import { oauthError } from '../oauth-error.js';
import { strictRotation, type RefreshTokenPolicy } from '../refresh-policy.js';
import { resolveResource } from './resource.js';
import { tokenResponse } from './issue.js';

function scopeWithin(requested: string, granted: string | undefined): boolean {
  const allowed = new Set((granted ?? '').split(' ').filter(Boolean));
  return requested.split(' ').filter(Boolean).every((scope) => allowed.has(scope));
}

export function refreshTokenGrant(policy: RefreshTokenPolicy = strictRotation): GrantHandler {
  return async (as, { form, client }) => {
    const presented = form.get('refresh_token');
    if (!presented) return oauthError(400, 'invalid_request', 'refresh_token is required');
    const record = as.state.refreshTokens.get(presented);
    if (!record) return oauthError(400, 'invalid_grant', 'unknown refresh token');
    const family = record.family;
    if (family.client_id !== client.client_id) return oauthError(400, 'invalid_grant', 'refresh token was issued to another client');

    const verdict = policy.judge(record, Date.now());
    if (!verdict.accept) {
      if (verdict.revokeFamily) family.revoked = true;
      return oauthError(400, 'invalid_grant', verdict.description);
    }

    const requestedScope = form.get('scope');
    if (requestedScope !== null && !scopeWithin(requestedScope, family.scope)) {
      return oauthError(400, 'invalid_scope', 'scope exceeds the original grant');
    }
    const target = resolveResource(as, form, family.resource);
    if ('failure' in target) return target.failure;

    const next = as.state.rotate(family);
    const scope = requestedScope ?? family.scope;
    return tokenResponse(as, { client_id: client.client_id, scope, resource: target.resource }, next);
  };
}

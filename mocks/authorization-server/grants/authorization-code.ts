import type { GrantHandler } from '../token.js';
import { refreshGenerationHeader } from '../diagnostics.js';
import { oauthError } from '../oauth-error.js';
import { pkceVerifies } from './pkce.js';
import { resolveResource } from './resource.js';
import { tokenResponse } from './issue.js';

export const authorizationCodeGrant: GrantHandler = async (as, { form, client }) => {
  const codeValue = form.get('code');
  const verifier = form.get('code_verifier');
  if (!codeValue) return oauthError(400, 'invalid_request', 'code is required');
  if (!verifier) return oauthError(400, 'invalid_request', 'code_verifier is required');

  const code = as.state.codes.get(codeValue);
  if (!code) return oauthError(400, 'invalid_grant', 'unknown authorization code');
  if (code.redeemed) {
    // A second redemption by the client the code was issued to, with its verifier, means the code
    // leaked: what it issued is revoked (OAuth 2.1 §4.1.3). A replay with wrong parameters proves
    // nothing and revokes nothing, or anyone could sign a user out with a guessed code.
    if (code.family && !code.family.revoked && code.client_id === client.client_id && pkceVerifies(code.code_challenge_method, code.code_challenge, verifier)) {
      code.family.revoked = true;
      code.family.revokedBy = 'reuse';
    }
    return oauthError(400, 'invalid_grant', 'authorization code already used');
  }
  // Single use from the first attempt on: a failed redemption must not leave the code for a retry
  // by whoever intercepted it.
  code.redeemed = true;
  if (code.expiresAt < Date.now()) return oauthError(400, 'invalid_grant', 'authorization code expired');
  if (code.client_id !== client.client_id) return oauthError(400, 'invalid_grant', 'authorization code was issued to another client');
  if ((form.get('redirect_uri') ?? undefined) !== code.redirect_uri) {
    return oauthError(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
  }
  if (!pkceVerifies(code.code_challenge_method, code.code_challenge, verifier)) {
    return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
  }
  const target = resolveResource(as, form, code.resource);
  if ('failure' in target) return target.failure;

  const grant = { client_id: client.client_id, scope: code.scope, resource: target.resource };
  const refresh = as.knobs.refreshTokens ? as.state.startRefreshFamily(grant) : undefined;
  if (refresh) code.family = refresh.family;
  return tokenResponse(as, grant, refresh, refresh ? refreshGenerationHeader(refresh, 'issued') : undefined);
};

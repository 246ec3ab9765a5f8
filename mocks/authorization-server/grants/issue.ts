// The successful token response shared by every grant.
import { HttpResponse } from 'msw';
import { mintAccessToken } from '../../tokens.js';
import type { AuthorizationServer } from '../context.js';
import type { RefreshTokenRecord } from '../state.js';

export interface TokenGrant {
  client_id: string;
  scope?: string;
  /** The audience of the access token; absent when the client named no resource. */
  resource?: string;
}

export async function tokenResponse(as: AuthorizationServer, grant: TokenGrant, refresh?: RefreshTokenRecord): Promise<Response> {
  const ttlSeconds = as.knobs.accessTokenTtlSeconds;
  const access_token = await mintAccessToken(as.key, {
    iss: as.issuer,
    sub: 'conformance-user',
    aud: grant.resource,
    client_id: grant.client_id,
    scope: grant.scope || undefined,
    ttlSeconds,
  });
  return HttpResponse.json({
    access_token,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    ...(grant.scope ? { scope: grant.scope } : {}),
    ...(refresh ? { refresh_token: refresh.token } : {}),
  });
}

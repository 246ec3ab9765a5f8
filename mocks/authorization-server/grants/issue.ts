// The successful token response shared by every grant.
import { decodeJwt } from 'jose';
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

/** Mints an access token with the server's current key and remembers it, so the world can expire it later. */
export async function issueAccessToken(as: AuthorizationServer, grant: TokenGrant & { sub?: string }, ttlSeconds: number): Promise<string> {
  const access_token = await mintAccessToken(as.key, {
    iss: as.issuer,
    sub: grant.sub ?? 'conformance-user',
    aud: grant.resource,
    client_id: grant.client_id,
    scope: grant.scope || undefined,
    ttlSeconds,
  });
  as.state.accessTokens.add(String(decodeJwt(access_token).jti));
  return access_token;
}

/** Mints the access token and builds the body. */
export async function tokenResponseBody(as: AuthorizationServer, grant: TokenGrant, refresh?: RefreshTokenRecord): Promise<Record<string, unknown>> {
  const ttlSeconds = as.knobs.accessTokenTtlSeconds;
  const access_token = await issueAccessToken(as, grant, ttlSeconds);
  return {
    access_token,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    ...(grant.scope ? { scope: grant.scope } : {}),
    ...(refresh ? { refresh_token: refresh.token } : {}),
  };
}

export async function tokenResponse(
  as: AuthorizationServer,
  grant: TokenGrant,
  refresh?: RefreshTokenRecord,
  headers?: Record<string, string>,
): Promise<Response> {
  const body = tokenResponseBody(as, grant, refresh);
  // Kept, as a promise, so that idempotent grace can answer a retry with exactly this pair even
  // when the retry overtakes the signing of the first answer.
  if (refresh) refresh.issuedWith = body;
  return HttpResponse.json(await body, headers ? { headers } : undefined);
}

// Dynamic client registration (RFC 7591).
import { http, HttpResponse } from 'msw';
import type { TokenAuthMethod } from '../knobs.js';
import { randomToken } from '../tokens.js';
import type { AuthorizationServer } from './context.js';
import { oauthError } from './oauth-error.js';
import { redirectUriDefect } from './redirect-uri.js';

// RFC 7591 §2: the default when a client names no method.
const DEFAULT_AUTH_METHOD: TokenAuthMethod = 'client_secret_basic';

function redirectUrisDefect(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return 'redirect_uris must be a non-empty array';
  for (const uri of value) {
    const defect = redirectUriDefect(uri);
    if (defect) return defect;
  }
  return undefined;
}

/** RFC 7591 §2 defines these as arrays of strings; a value of another shape is not one the server can register. */
const STRING_LISTS = ['grant_types', 'response_types', 'contacts'];

function stringListsDefect(metadata: Record<string, unknown>): string | undefined {
  for (const field of STRING_LISTS) {
    const value = metadata[field];
    if (value !== undefined && !(Array.isArray(value) && value.every((item) => typeof item === 'string'))) return `${field} must be an array of strings`;
  }
  return undefined;
}

async function readMetadata(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await request.json();
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function registrationEndpoint(as: AuthorizationServer, url: string) {
  return http.post(url, async ({ request }) => {
    const metadata = await readMetadata(request);
    if (!metadata) return oauthError(400, 'invalid_client_metadata', 'the body must be a JSON object');
    const uriDefect = redirectUrisDefect(metadata.redirect_uris);
    if (uriDefect) return oauthError(400, 'invalid_redirect_uri', uriDefect);
    const listDefect = stringListsDefect(metadata);
    if (listDefect) return oauthError(400, 'invalid_client_metadata', listDefect);
    const requested = (metadata.token_endpoint_auth_method ?? DEFAULT_AUTH_METHOD) as TokenAuthMethod;
    // RFC 7591 §2 lets the server replace a value it does not support and return the effective one
    // (the official suite's server does the same), so the client is judged on using what it got.
    const method = as.knobs.tokenAuthMethods.includes(requested) ? requested : as.knobs.tokenAuthMethods[0];

    const client = as.state.addClient({
      client_id: randomToken(16),
      ...(method !== 'none' ? { client_secret: randomToken() } : {}),
      token_endpoint_auth_method: method,
      redirect_uris: metadata.redirect_uris as string[],
    });
    return HttpResponse.json(
      {
        ...metadata,
        token_endpoint_auth_method: method,
        client_id: client.client_id,
        client_id_issued_at: Math.floor(Date.now() / 1000),
        ...(client.client_secret ? { client_secret: client.client_secret, client_secret_expires_at: 0 } : {}),
      },
      { status: 201, headers: { 'Cache-Control': 'no-store' } },
    );
  });
}

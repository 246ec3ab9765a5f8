// The token endpoint: client authentication, then one small handler per grant type. New grant
// behaviours (refresh policies, rejection shapes) plug in as entries of `grants`; faults such as
// latency or 5xx are separate MSW handlers placed in front of this one.
import { http } from 'msw';
import type { AuthorizationServer } from './context.js';
import { authenticateClient, type ClientAuthentication } from './client-authentication.js';
import { oauthError } from './oauth-error.js';
import type { Client } from './state.js';

export interface TokenRequest {
  form: URLSearchParams;
  client: Client;
}

export type GrantHandler = (as: AuthorizationServer, request: TokenRequest) => Response | Promise<Response>;

export interface TokenEndpointOptions {
  grants: Record<string, GrantHandler>;
  authenticate?: (as: AuthorizationServer, request: Request, form: URLSearchParams) => ClientAuthentication;
}

const byRegisteredMethod = (as: AuthorizationServer, request: Request, form: URLSearchParams) => authenticateClient(as.state, request, form);

async function answer(as: AuthorizationServer, request: Request, options: TokenEndpointOptions): Promise<Response> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthError(400, 'invalid_request', 'the token request must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await request.text());
  const authentication = (options.authenticate ?? byRegisteredMethod)(as, request, form);
  if ('failure' in authentication) return authentication.failure;

  const grantType = form.get('grant_type');
  if (!grantType) return oauthError(400, 'invalid_request', 'grant_type is required');
  const grant = options.grants[grantType];
  if (!grant) return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  return grant(as, { form, client: authentication.client });
}

export function tokenEndpoint(as: AuthorizationServer, options: TokenEndpointOptions) {
  return http.post(as.endpoints.token, async ({ request }) => {
    const response = await answer(as, request, options);
    // RFC 6749 §5.1: token responses, errors included, must never be cached.
    response.headers.set('Cache-Control', 'no-store');
    return response;
  });
}

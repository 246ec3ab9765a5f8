import { http, HttpResponse } from 'msw';
import type { AuthorizationServer } from './context.js';

export function jwksEndpoint(as: AuthorizationServer) {
  const document = { keys: [as.key.publicJwk] };
  return http.get(as.endpoints.jwks, () => HttpResponse.json(document));
}

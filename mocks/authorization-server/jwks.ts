import { http, HttpResponse } from 'msw';
import { publishedKeys, type AuthorizationServer } from './context.js';

/** Read at every request: a key rotated at run time is published at once. */
export function jwksEndpoint(as: AuthorizationServer) {
  return http.get(as.endpoints.jwks, () => HttpResponse.json({ keys: publishedKeys(as).map((key) => key.publicJwk) }));
}

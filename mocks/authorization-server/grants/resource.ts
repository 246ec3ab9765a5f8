// RFC 8707 at the token endpoint: the world protects exactly one resource, and a token request may
// only name the resource its grant was made for.
import type { AuthorizationServer } from '../context.js';
import { oauthError } from '../oauth-error.js';

/** The audience to mint for, or the invalid_target answer. */
export function resolveResource(as: AuthorizationServer, form: URLSearchParams, granted: string | undefined): { resource?: string } | { failure: Response } {
  const requested = form.get('resource');
  if (requested === null) return { resource: granted };
  if (requested !== as.canonicalResource) return { failure: oauthError(400, 'invalid_target', `${requested} is not a resource of this server`) };
  if (granted !== undefined && requested !== granted) return { failure: oauthError(400, 'invalid_target', 'resource differs from the one authorized') };
  return { resource: requested };
}

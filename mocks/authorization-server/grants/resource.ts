// RFC 8707 at the token endpoint: the world protects exactly one resource server (known by its MCP
// URL, and by the origin its root PRM document names), and a token request may only name the
// resource its grant was made for.
import { resourceKey, sameResource } from '../../../core/uri.js';
import type { AuthorizationServer } from '../context.js';
import { oauthError } from '../oauth-error.js';

/** The audience to mint for (the identifier as the world spells it), or the invalid_target answer. */
export function resolveResource(as: AuthorizationServer, form: URLSearchParams, granted: string | undefined): { resource?: string } | { failure: Response } {
  const requested = form.get('resource');
  if (requested === null) return { resource: granted === undefined ? undefined : (as.resources.find((resource) => sameResource(resource, granted)) ?? granted) };
  const known = as.resources.find((resource) => sameResource(resource, requested));
  if (known === undefined) return { failure: oauthError(400, 'invalid_target', `${requested} is not a resource of this server`) };
  if (granted !== undefined && resourceKey(granted) !== resourceKey(requested)) return { failure: oauthError(400, 'invalid_target', 'resource differs from the one authorized') };
  return { resource: known };
}

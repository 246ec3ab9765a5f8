// Authorization decisions the resource server makes after a token is known to be valid. Each policy
// looks at the token's claims and the JSON-RPC messages and may deny with a step-up request.
import type { AccessTokenPayload } from '../tokens.js';
import { methodOf, paramsOf, type JsonRpcMessage } from './jsonrpc.js';

export interface AccessDenial {
  /** The scope the client must obtain before trying again (RFC 6750 insufficient_scope). */
  requiredScope: string;
}

export type AccessPolicy = (claims: AccessTokenPayload, messages: JsonRpcMessage[]) => AccessDenial | undefined;

export function grantedScopes(claims: AccessTokenPayload): Set<string> {
  return new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
}

/** Tools that need particular scopes (the step-up scenarios). */
export function requireToolScopes(toolScopes: Record<string, string[]>): AccessPolicy {
  return (claims, messages) => {
    const granted = grantedScopes(claims);
    for (const message of messages) {
      if (methodOf(message) !== 'tools/call') continue;
      const name = paramsOf(message).name;
      const needed = typeof name === 'string' && Object.hasOwn(toolScopes, name) ? toolScopes[name] : undefined;
      if (needed && !needed.every((scope) => granted.has(scope))) return { requiredScope: needed.join(' ') };
    }
    return undefined;
  };
}

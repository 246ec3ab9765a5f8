// Authorization decisions the resource server makes after a token is known to be valid. Each policy
// looks at the token's claims and the JSON-RPC messages and may deny: with a step-up request
// (403 insufficient_scope and a challenge), or plainly (403 without a challenge).
import type { AccessTokenPayload } from '../tokens.js';
import { methodOf, paramsOf, type JsonRpcMessage } from './jsonrpc.js';

export type AccessDenial =
  /** The scope the client must obtain before trying again (RFC 6750 insufficient_scope). */
  | { requiredScope: string }
  /** A refusal that is no step-up: no challenge, so a client must not start an authorization. */
  | { forbidden: string };

export type AccessPolicy = (claims: AccessTokenPayload, messages: JsonRpcMessage[]) => AccessDenial | undefined;

export function grantedScopes(claims: AccessTokenPayload): Set<string> {
  return new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []);
}

function calledTools(messages: JsonRpcMessage[]): string[] {
  return messages.flatMap((message) => {
    if (methodOf(message) !== 'tools/call') return [];
    const name = paramsOf(message).name;
    return typeof name === 'string' ? [name] : [];
  });
}

/** Every authenticated request is refused for more scope, whatever the token holds (the official auth/scope-retry-limit). */
export function alwaysDenyScope(scope: string): AccessPolicy {
  return () => ({ requiredScope: scope });
}

/** Tools that need particular scopes (the step-up scenarios). */
export function requireToolScopes(toolScopes: Record<string, string[]>): AccessPolicy {
  return (claims, messages) => {
    const granted = grantedScopes(claims);
    for (const name of calledTools(messages)) {
      const needed = Object.hasOwn(toolScopes, name) ? toolScopes[name] : undefined;
      if (needed && !needed.every((scope) => granted.has(scope))) return { requiredScope: needed.join(' ') };
    }
    return undefined;
  };
}

/** Tools a WAF, CDN or policy engine refuses whatever the token holds (claude-code #78220). */
export function forbidTools(tools: string[]): AccessPolicy {
  const forbidden = new Set(tools);
  return (_claims, messages) => {
    const name = calledTools(messages).find((tool) => forbidden.has(tool));
    return name !== undefined ? { forbidden: `calling ${name} is not allowed here` } : undefined;
  };
}

export interface DenialCount {
  denied: number;
}

/** The policies as one, counting the requests it denies (for `giveUpAfter`). */
export function countingDenials(policies: AccessPolicy[], count: DenialCount): AccessPolicy {
  return (claims, messages) => {
    for (const policy of policies) {
      const denial = policy(claims, messages);
      if (denial) {
        count.denied++;
        return denial;
      }
    }
    return undefined;
  };
}

// The resource server's bearer guard: an MSW handler in front of the MCP endpoint that answers 401
// or 403 itself and otherwise lets the request fall through to the JSON-RPC handler.
import { http, HttpResponse } from 'msw';
import type { TokenVerification } from '../tokens.js';
import type { AccessPolicy } from './access-policies.js';
import {
  insufficientScopeChallenge,
  invalidTokenChallenge,
  missingTokenChallenge,
  type ChallengeSettings,
  type InsufficientScopeChallenge,
} from './challenge.js';
import { methodOf, parseJsonRpc } from './jsonrpc.js';

export type TokenVerifier = (token: string) => Promise<TokenVerification>;

export interface BearerGuardOptions {
  verify: TokenVerifier;
  challenge: ChallengeSettings;
  /** JSON-RPC methods that need no token; a body is public only when every message in it is. */
  publicMethods: string[];
  policies: AccessPolicy[];
  /** Builds the 403 challenge; default: the plain one from `challenge`. */
  insufficientScope?: InsufficientScopeChallenge;
}

/** Only the Authorization header counts: a token in the query (RFC 6750 §2.3) is not accepted here. */
export function bearerTokenOf(request: Request): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return match?.[1];
}

function challengeResponse(status: 401 | 403, challenge: string, body?: Record<string, string>): HttpResponse<Record<string, string> | null> {
  const headers = { 'WWW-Authenticate': challenge };
  return body ? HttpResponse.json(body, { status, headers }) : new HttpResponse(null, { status, headers });
}

export function bearerGuard(mcpUrl: string, options: BearerGuardOptions) {
  const publicMethods = new Set(options.publicMethods);
  const insufficientScope = options.insufficientScope ?? ((scope: string) => insufficientScopeChallenge(options.challenge, scope));
  return http.post(mcpUrl, async ({ request }) => {
    // Cloned because the JSON-RPC handler behind this guard reads the same body.
    const body = parseJsonRpc(await request.clone().text());
    const messages = body?.messages ?? [];
    if (publicMethods.size > 0 && messages.length > 0 && messages.every((m) => publicMethods.has(methodOf(m) ?? ''))) return undefined;

    const token = bearerTokenOf(request);
    if (!token) return challengeResponse(401, missingTokenChallenge(options.challenge));
    const verification = await options.verify(token);
    if (!verification.valid) {
      return challengeResponse(401, invalidTokenChallenge(options.challenge, verification.reason), {
        error: 'invalid_token',
        error_description: verification.reason,
      });
    }
    for (const policy of options.policies) {
      const denial = policy(verification.claims, messages);
      if (denial && 'forbidden' in denial) return HttpResponse.json({ error: 'forbidden', message: denial.forbidden }, { status: 403 });
      if (denial) {
        return challengeResponse(403, insufficientScope(denial.requiredScope), {
          error: 'insufficient_scope',
          scope: denial.requiredScope,
        });
      }
    }
    return undefined;
  });
}

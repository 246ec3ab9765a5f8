// The bearer gate in front of the MCP endpoint: who is asking (token extraction and verification)
// and whether the token allows what is asked (scopes). The answers themselves come from the
// Challenger.
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Challenge, Challenger } from './challenge.js';
import type { TokenExtractor } from './extract.js';
import { log } from './log.js';
import type { ScopePolicy } from './scopes.js';
import type { Sessions } from './sessions.js';
import type { Verifier } from './verifier.js';

export type Admission = { auth: AuthInfo } | { refusal: Challenge };

export interface GateParts {
  extractor: TokenExtractor;
  verifier: Verifier;
  challenger: Challenger;
  scopes: ScopePolicy;
  sessions: Sessions;
}

export class BearerGate {
  constructor(protected readonly parts: GateParts) {}

  /** Throws Unavailable when the token cannot be judged now. */
  async authenticate(req: IncomingMessage, url: URL): Promise<Admission> {
    const found = this.parts.extractor.extract(req, url);
    switch (found.kind) {
      case 'none':
        return this.withoutToken(req);
      case 'malformed':
        return { refusal: this.parts.challenger.invalidRequest(found.description) };
      case 'token': {
        const verdict = await this.parts.verifier.verify(found.token);
        return verdict.valid ? { auth: verdict.auth } : this.rejected(found.token, verdict.description);
      }
    }
  }

  /**
   * Every request needs a token, whatever else it carries. A session id in particular is no
   * credential: it is an identifier the server handed out, not proof of who holds it (MCP
   * security best practices: sessions are not authentication).
   */
  protected withoutToken(req: IncomingMessage): Admission {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string' && this.parts.sessions.find(sessionId)) log('gate', 'a known session id came without a token; it does not stand in for one');
    return { refusal: this.parts.challenger.noToken(this.parts.scopes.forEveryRequest()) };
  }

  protected rejected(_token: string, description: string): Admission {
    return { refusal: this.parts.challenger.invalidToken(description) };
  }

  /** The refusal when the token's scopes do not cover `needed`, else undefined. */
  authorize(auth: AuthInfo, needed: string[]): Challenge | undefined {
    const missing = this.parts.scopes.missing(auth.scopes, needed);
    if (missing.length === 0) return undefined;
    return this.parts.challenger.insufficientScope(needed, `the token lacks the scope this request needs: ${missing.join(' ')}`);
  }
}

// Which scopes an operation needs, and what a token lacks for it.
import { READ_SCOPE, SCOPES_SUPPORTED, WRITE_SCOPE } from './config.js';

/** Tools that act on something outside this server; calling one needs the write scope too. */
const WRITING_TOOLS = new Set(['test-tool']);

export class ScopePolicy {
  readonly supported = SCOPES_SUPPORTED;

  /** Any request to the MCP endpoint, before its body is read. */
  forEveryRequest(): string[] {
    return [READ_SCOPE];
  }

  /** A POST body: one JSON-RPC message or a batch, every message counted. */
  forMessages(body: unknown): string[] {
    const needed = new Set(this.forEveryRequest());
    for (const message of Array.isArray(body) ? body : [body]) {
      if (this.callsWritingTool(message)) needed.add(WRITE_SCOPE);
    }
    return [...needed];
  }

  /** The needed scopes the token was not granted; empty when it may go on. */
  missing(granted: string[], needed: string[]): string[] {
    return needed.filter((scope) => !granted.includes(scope));
  }

  protected callsWritingTool(message: unknown): boolean {
    if (typeof message !== 'object' || message === null) return false;
    const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
    return method === 'tools/call' && typeof params?.name === 'string' && WRITING_TOOLS.has(params.name);
  }
}

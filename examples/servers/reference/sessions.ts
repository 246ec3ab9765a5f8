// Stateful Streamable HTTP: one SDK transport and MCP server per session, each session bound to
// whoever opened it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { MAX_SESSIONS } from './config.js';
import { log } from './log.js';
import { sendJsonRpcError } from './replies.js';
import { principalOf } from './verifier.js';

export interface Session {
  id: string;
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  /** Only this principal's requests reach the session (MCP security best practices: session hijacking). */
  principal: string;
  /** The authorization of the request that opened it. */
  openedWith: AuthInfo;
}

export class Sessions {
  private readonly open = new Map<string, Session>();

  constructor(private readonly newServer: () => McpServer) {}

  find(id: string): Session | undefined {
    return this.open.get(id);
  }

  /** An authorized request: a new session for an initialize, otherwise the session it names. */
  async serve(req: IncomingMessage, res: ServerResponse, auth: AuthInfo, body: unknown): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'DELETE') return sendJsonRpcError(res, 405, -32000, 'Method not allowed.', { Allow: 'GET, POST, DELETE' });
    const id = req.headers['mcp-session-id'];
    if (id === undefined) {
      if (req.method === 'POST' && [body].flat().some((message) => isInitializeRequest(message))) return this.start(req, res, auth, body);
      return sendJsonRpcError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    const session = typeof id === 'string' ? this.open.get(id) : undefined;
    // Someone else's session is answered as an unknown one, so ids cannot be probed for.
    if (!session || session.principal !== principalOf(auth)) return sendJsonRpcError(res, 404, -32001, 'Session not found');
    await session.transport.handleRequest(Object.assign(req, { auth }), res, body);
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.open.values()].map((session) => session.server.close()));
  }

  private async start(req: IncomingMessage, res: ServerResponse, auth: AuthInfo, body: unknown): Promise<void> {
    const server = this.newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id): void => this.add({ id, transport, server, principal: principalOf(auth), openedWith: auth }),
    });
    // Set before connect: the SDK's Protocol chains its own handler after this one.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.open.delete(id)) log('session', `${id} closed`);
    };
    await server.connect(transport);
    await transport.handleRequest(Object.assign(req, { auth }), res, body);
    // Refused before a session began (Accept, Content-Type, a second initialize in a batch...).
    if (!transport.sessionId) await server.close();
  }

  private add(session: Session): void {
    if (this.open.size >= MAX_SESSIONS) {
      const [oldest] = this.open.values();
      log('session', `${oldest.id} closed to make room (at most ${MAX_SESSIONS} open)`);
      void oldest.server.close();
      this.open.delete(oldest.id);
    }
    this.open.set(session.id, session);
    log('session', `${session.id} opened by ${session.principal} (client ${session.openedWith.clientId})`);
  }
}

// What a server scenario drives the server under test with: the probe, tokens of the format the
// server validates (minted by the kit's issuer with whatever claims the case needs), and the MCP
// requests every scenario needs. Scenarios send; they never judge.
import type { Issuer } from '../../../mocks/issuer.js';
import type { TokenSpec } from '../../../mocks/token-forge.js';
import type { SpecVersion } from '../../spec.js';
import type { ServerFacts } from '../../trace.js';
import type { Probe } from '../probe.js';
import { withReply, type RpcResult } from './json-rpc.js';

/** A token of the kind the server validates; `active: false` makes introspection call it inactive. */
export type TokenRequest = TokenSpec & { active?: boolean };

export interface McpOptions {
  /** Sent as `Authorization: Bearer <token>` unless `headers` has its own authorization. */
  token?: string;
  sessionId?: string;
  headers?: Record<string, string | string[]>;
  /** Another URL than the MCP URL (the MCP URL with a query, say). */
  url?: string;
}

export interface Session {
  /** The initialize exchange. */
  opened: RpcResult;
  /** Mcp-Session-Id, for a stateful server. */
  sessionId?: string;
  /** The protocol version the server answered with. */
  protocolVersion?: string;
}

const JSON_RPC_ACCEPT = 'application/json, text/event-stream';

export class ServerDrive {
  private nextId = 1;

  constructor(
    readonly probe: Probe,
    readonly issuer: Issuer,
    readonly facts: ServerFacts,
    readonly specVersion: SpecVersion,
    readonly signal?: AbortSignal,
  ) {}

  /** A valid token for the server (every scope it was found to want), or one changed as `request` says. */
  async token(request: TokenRequest = { claims: {} }): Promise<string> {
    const claims = { scope: this.facts.scopes.join(' ') || null, ...request.claims };
    if (this.facts.tokenFormat === 'opaque') return this.issuer.opaque(claims, request.active ?? true);
    return this.issuer.forge.jwt({ ...request, claims });
  }

  private headers(options: McpOptions, session?: Session): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = { 'content-type': 'application/json', accept: JSON_RPC_ACCEPT };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (session?.protocolVersion) headers['mcp-protocol-version'] = session.protocolVersion;
    const sessionId = options.sessionId ?? session?.sessionId;
    if (sessionId) headers['mcp-session-id'] = sessionId;
    return { ...headers, ...options.headers };
  }

  /** POSTs one JSON-RPC request to the MCP endpoint. */
  rpc(label: string, method: string, params: Record<string, unknown>, options: McpOptions = {}, session?: Session): Promise<RpcResult> {
    const body = JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params });
    return this.probe.send(label, { method: 'POST', ...(options.url ? { url: options.url } : {}), headers: this.headers(options, session), body }).then(withReply);
  }

  /** The opening request of a session; the server's answer to it is what most validation cases judge. */
  async initialize(label: string, options: McpOptions = {}): Promise<Session> {
    const opened = await this.rpc(label, 'initialize', {
      protocolVersion: this.specVersion,
      capabilities: {},
      clientInfo: { name: 'mcp-auth-conformance', version: '0' },
    }, options);
    const sessionId = opened.response?.headers['mcp-session-id'];
    const result = opened.message?.result as { protocolVersion?: unknown } | undefined;
    const protocolVersion = typeof result?.protocolVersion === 'string' ? result.protocolVersion : undefined;
    return { opened, ...(sessionId ? { sessionId } : {}), ...(protocolVersion ? { protocolVersion } : {}) };
  }

  /** A session the server accepted, ready for requests: initialize, then notifications/initialized. */
  async open(label: string, options: McpOptions = {}): Promise<Session> {
    const session = await this.initialize(label, options);
    if (served(session.opened)) {
      const body = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await this.probe.send(`${label}:initialized`, { method: 'POST', headers: this.headers(options, session), body });
    }
    return session;
  }

  /** tools/list, then the result's tool names (empty when refused). */
  async listTools(label: string, session: Session, options: McpOptions = {}): Promise<{ result: RpcResult; tools: string[] }> {
    const result = await this.rpc(label, 'tools/list', {}, options, session);
    const tools = (result.message?.result as { tools?: Array<{ name?: unknown }> } | undefined)?.tools ?? [];
    return { result, tools: tools.map((tool) => tool.name).filter((name): name is string => typeof name === 'string') };
  }

  callTool(label: string, session: Session, tool: string, options: McpOptions = {}): Promise<RpcResult> {
    return this.rpc(label, 'tools/call', { name: tool, arguments: {} }, options, session);
  }
}

/** The server did what was asked: a 2xx that is not a JSON-RPC error. */
export function served(result: RpcResult): boolean {
  const status = result.response?.status ?? 0;
  return status >= 200 && status < 300 && result.message?.error === undefined;
}

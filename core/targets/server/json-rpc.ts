// What an MCP server under test answers in JSON-RPC terms, and which of its URLs is which endpoint.
import type { EndpointRole, RecordedResponse } from '../../trace.js';
import type { ProbeResult } from '../probe.js';

export interface JsonRpcReply {
  jsonrpc: '2.0';
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string };
}

/** The JSON-RPC answer in a response body, as JSON or as the last message of an SSE stream. */
export function jsonRpcReply(response: RecordedResponse | undefined): JsonRpcReply | undefined {
  const body = response?.body;
  if (!body) return undefined;
  const type = response.headers['content-type'] ?? '';
  const candidates = type.includes('text/event-stream')
    ? body
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .reverse()
    : [body];
  for (const text of candidates) {
    try {
      const value = JSON.parse(text) as unknown;
      // An OAuth error body ({"error":"invalid_token"}) is JSON too, but not JSON-RPC.
      if (value && typeof value === 'object' && (value as { jsonrpc?: unknown }).jsonrpc === '2.0') return value as JsonRpcReply;
    } catch {
      // not JSON: the server answered something else, which the checks judge from the raw body
    }
  }
  return undefined;
}

/** A probe result with the JSON-RPC message of its body, where it has one. */
export type RpcResult = ProbeResult & { message?: JsonRpcReply };

export function withReply(result: ProbeResult): RpcResult {
  const message = jsonRpcReply(result.response);
  return message ? { ...result, message } : result;
}

/** The MCP endpoint whatever its query says; the PRM by its well-known path. */
export function mcpRoles(mcpUrl: string): (url: URL) => EndpointRole {
  const mcp = new URL(mcpUrl);
  return (url) => {
    if (url.origin === mcp.origin && url.pathname === mcp.pathname) return 'mcp';
    return url.pathname.startsWith('/.well-known/oauth-protected-resource') ? 'prm' : 'unknown';
  };
}

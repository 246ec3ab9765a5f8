// The MCP endpoint behind the bearer guard. Lenient about the lifecycle on purpose: initialize and
// the stateless server/discover both work, sessions are neither issued nor required.
import { http, HttpResponse } from 'msw';
import { expectsAnswer, methodOf, paramsOf, parseJsonRpc, type JsonRpcMessage } from './jsonrpc.js';

export const DEFAULT_PROTOCOL_VERSION = '2025-11-25';
export const SERVER_INFO = { name: 'mcp-auth-conformance-mock', version: '0.1.0' };
export const TEST_TOOL = 'test-tool';

type MethodHandler = (params: Record<string, unknown>) => unknown;

function serverDescription(params: Record<string, unknown>) {
  return {
    protocolVersion: typeof params.protocolVersion === 'string' ? params.protocolVersion : DEFAULT_PROTOCOL_VERSION,
    capabilities: { tools: {} },
    serverInfo: SERVER_INFO,
  };
}

export function mcpMethods(toolNames: string[]): Record<string, MethodHandler> {
  const tools = toolNames.map((name) => ({ name, description: `conformance tool ${name}`, inputSchema: { type: 'object', properties: {} } }));
  return {
    initialize: serverDescription,
    'server/discover': serverDescription,
    ping: () => ({}),
    'tools/list': () => ({ tools }),
    'tools/call': () => ({ content: [{ type: 'text', text: 'ok' }] }),
  };
}

function answer(methods: Record<string, MethodHandler>, message: JsonRpcMessage) {
  const method = methodOf(message)!;
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) return { jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `Method not found: ${method}` } };
  return { jsonrpc: '2.0', id: message.id, result: handler(paramsOf(message)) };
}

export function mcpEndpoint(mcpUrl: string, methods: Record<string, MethodHandler>) {
  return http.post(mcpUrl, async ({ request }) => {
    const body = parseJsonRpc(await request.text());
    if (!body) return HttpResponse.json({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }, { status: 400 });
    const answers = body.messages.filter(expectsAnswer).map((message) => answer(methods, message));
    // Notifications and responses alone get 202 Accepted with no body (MCP Streamable HTTP).
    if (answers.length === 0) return new HttpResponse(null, { status: 202 });
    return HttpResponse.json(body.batch ? answers : answers[0]);
  });
}

/** The mock offers no SSE stream and no session to delete. */
export function mcpMethodNotAllowed(mcpUrl: string) {
  const refuse = () => new HttpResponse(null, { status: 405, headers: { Allow: 'POST' } });
  return [http.get(mcpUrl, refuse), http.delete(mcpUrl, refuse)];
}

/**
 * The MCP endpoint that has given up (the official auth/scope-retry-limit scenario): once `limit`
 * authenticated requests were denied with 403, every further request gets 410 Gone, so a client
 * that keeps re-authorizing is stopped and the trace shows how many times it tried.
 */
export function mcpGoneAfter(mcpUrl: string, limit: number, count: { denied: number }) {
  return http.all(mcpUrl, () => {
    if (count.denied < limit) return undefined;
    return new HttpResponse(`gone: ${limit} requests were refused with 403`, { status: 410, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  });
}

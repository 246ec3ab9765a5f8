// Answers that are not challenges: JSON bodies, and JSON-RPC errors shaped like the SDK's own.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** For answers about the MCP exchange itself, so an MCP client reads them as it reads the SDK's. */
export function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

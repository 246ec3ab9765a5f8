// The MCP server behind the gate: one per session, two tools.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SERVER_NAME } from './config.js';
import { log } from './log.js';
import type { Upstream } from './upstream.js';

const text = (value: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: value }], ...(isError ? { isError: true } : {}) });

export function createMcpServer(upstream: Upstream | undefined): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: '0.1.0' });

  server.registerTool(
    'test-tool',
    {
      description: 'Calls the upstream API (when one is configured) as this server; needs scope mcp:write.',
      annotations: { readOnlyHint: false, openWorldHint: upstream !== undefined },
    },
    async (extra) => {
      if (!upstream) return text('test-tool ran; no upstream API is configured');
      try {
        const result = await upstream.call(extra.authInfo);
        log('upstream', `answered ${result.status}`);
        return text(`test-tool called the upstream API: ${result.status} ${result.statusText}`.trim(), !result.ok);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log('upstream', `failed: ${reason}`);
        return text(`test-tool could not reach the upstream API: ${reason}`, true);
      }
    },
  );

  server.registerTool(
    'whoami',
    {
      description: 'Says which client, subject and scopes the access token of this request carries.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (extra) => {
      const auth = extra.authInfo;
      // The token itself stays out: a tool result is no place for a credential.
      return text(JSON.stringify({ client_id: auth?.clientId ?? null, sub: auth?.extra?.sub ?? null, scopes: auth?.scopes ?? [] }));
    },
  );

  return server;
}

// The floor the kit is measured against: the least a server pair can do for one authorization flow
// (plain node:http, no MSW, no recording, no token verification). Only the benchmark uses it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface MinimalWorld {
  mcpUrl: string;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
  });

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startMinimalWorld(): Promise<MinimalWorld> {
  let asOrigin = '';
  let rsOrigin = '';
  const as = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', asOrigin);
    if (url.pathname === '/.well-known/oauth-authorization-server')
      return json(res, 200, {
        issuer: asOrigin,
        authorization_endpoint: `${asOrigin}/authorize`,
        token_endpoint: `${asOrigin}/token`,
        registration_endpoint: `${asOrigin}/register`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        authorization_response_iss_parameter_supported: true,
      });
    if (url.pathname === '/register') {
      const body = JSON.parse(await readBody(req));
      return json(res, 201, { ...body, client_id: randomUUID() });
    }
    if (url.pathname === '/authorize') {
      const target = new URL(url.searchParams.get('redirect_uri') ?? '');
      target.searchParams.set('code', randomUUID());
      target.searchParams.set('state', url.searchParams.get('state') ?? '');
      target.searchParams.set('iss', asOrigin);
      res.writeHead(302, { location: target.toString() }).end();
      return;
    }
    if (url.pathname === '/token') {
      await readBody(req);
      return json(res, 200, { access_token: randomUUID(), token_type: 'Bearer', expires_in: 3600 }, { 'cache-control': 'no-store' });
    }
    json(res, 404, { error: 'not_found' });
  });
  asOrigin = as.origin;
  const rs = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', rsOrigin);
    if (url.pathname === '/.well-known/oauth-protected-resource/mcp')
      return json(res, 200, { resource: `${rsOrigin}/mcp`, authorization_servers: [asOrigin] });
    if (url.pathname !== '/mcp' || req.method !== 'POST') return json(res, 405, {});
    const body = await readBody(req);
    if (!req.headers.authorization)
      return json(res, 401, {}, { 'www-authenticate': `Bearer resource_metadata="${rsOrigin}/.well-known/oauth-protected-resource/mcp"` });
    const message = JSON.parse(body);
    if (message.id === undefined) return void res.writeHead(202).end();
    const results: Record<string, unknown> = {
      initialize: { protocolVersion: message.params?.protocolVersion ?? '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'floor', version: '0' } },
      'tools/list': { tools: [{ name: 'test-tool', inputSchema: { type: 'object', properties: {} } }] },
      'tools/call': { content: [{ type: 'text', text: 'ok' }] },
    };
    json(res, 200, { jsonrpc: '2.0', id: message.id, result: results[message.method] ?? {} });
  });
  rsOrigin = rs.origin;
  return {
    mcpUrl: `${rsOrigin}/mcp`,
    async close() {
      for (const { server } of [as, rs]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}

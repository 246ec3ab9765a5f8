// The HTTP side: routing, the Origin check, reading the body, and the last-resort answers. The
// order of the checks on the MCP endpoint is the point: the token before anything else is
// looked at, the scopes before the SDK sees the request.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Challenge, Challenger } from './challenge.js';
import { HOST, MAX_BODY_BYTES, type Config } from './config.js';
import type { BearerGate } from './gate.js';
import { log } from './log.js';
import type { ProtectedResourceMetadata } from './prm.js';
import { sendJson, sendJsonRpcError } from './replies.js';
import type { ScopePolicy } from './scopes.js';
import type { Sessions } from './sessions.js';
import { Unavailable } from './verifier.js';

export interface App {
  config: Config;
  prm: ProtectedResourceMetadata;
  gate: BearerGate;
  scopes: ScopePolicy;
  challenger: Challenger;
  sessions: Sessions;
}

export function requestListener(app: App): RequestListener {
  return (req, res) => {
    handle(app, req, res).catch((error: unknown) => fail(res, error));
  };
}

async function handle(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  if (!url) return sendJson(res, 400, { error: 'invalid_request', error_description: 'the request target is not a path' });
  if (url.pathname === app.prm.path) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: 'GET, HEAD' });
    return app.prm.send(res, req.method);
  }
  if (url.pathname !== app.config.mcpPath) return sendJson(res, 404, { error: 'not_found' });
  // Streamable HTTP: a server MUST validate Origin (DNS rebinding) and answer 403 when it is wrong.
  if (!originAllowed(req.headers.origin, app.config)) return sendJsonRpcError(res, 403, -32000, 'Forbidden: Origin not allowed');
  return serveMcp(app, req, res, url);
}

async function serveMcp(app: App, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const admission = await app.gate.authenticate(req, url);
  if ('refusal' in admission) return refuse(app, req, res, admission.refusal);
  const { auth } = admission;
  const refusal = app.gate.authorize(auth, app.scopes.forEveryRequest());
  if (refusal) return refuse(app, req, res, refusal);

  let body: unknown;
  if (req.method === 'POST') {
    const text = await readBody(req, MAX_BODY_BYTES);
    if (text === undefined) return sendJsonRpcError(res, 413, -32000, `Payload Too Large: at most ${MAX_BODY_BYTES} bytes`, { Connection: 'close' });
    try {
      body = JSON.parse(text);
    } catch {
      return sendJsonRpcError(res, 400, -32700, 'Parse error: Invalid JSON');
    }
    // The body names the operation, so only now can the scopes it needs be known.
    const operationRefusal = app.gate.authorize(auth, app.scopes.forMessages(body));
    if (operationRefusal) return refuse(app, req, res, operationRefusal);
  }
  await app.sessions.serve(req, res, auth, body);
}

function refuse(app: App, req: IncomingMessage, res: ServerResponse, challenge: Challenge): void {
  const error = challenge.parameters.find(([name]) => name === 'error')?.[1] ?? 'no token';
  const description = challenge.parameters.find(([name]) => name === 'error_description')?.[1];
  log('refused', `${req.method} ${challenge.status} ${error}${description ? `: ${description}` : ''}`);
  app.challenger.send(res, challenge);
}

/** Only the path and query of the request target count; undefined when it is not one. */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', `http://${HOST}`);
  } catch {
    return undefined;
  }
}

function originAllowed(origin: string | undefined, config: Config): boolean {
  if (origin === undefined) return true;
  const own = new URL(config.resource).origin;
  return [own, `http://${HOST}:${config.port}`, `http://localhost:${config.port}`].includes(origin);
}

/** The body as text, or undefined when it is larger than `limit` (the rest is read and dropped). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

/**
 * The JWKS or the introspection endpoint not answering is 503, the server's problem for now; any
 * other failure is a bug here, and still answered, with nothing of the request in it.
 */
function fail(res: ServerResponse, error: unknown): void {
  const unavailable = error instanceof Unavailable;
  log(unavailable ? 'unavailable' : 'error', error instanceof Error ? (unavailable ? error.message : (error.stack ?? error.message)) : String(error));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (unavailable) sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'the access token cannot be validated right now' }, { 'Retry-After': '1' });
  else sendJson(res, 500, { error: 'server_error' });
}

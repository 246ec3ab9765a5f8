// Serves MSW handlers over real loopback HTTP for targets in other processes, and records every
// exchange. A thin adapter around msw's getResponse: node request -> Fetch Request -> Response.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestHandler } from 'msw';
import { answerRecorded, requestOf } from './answer.js';
import type { EndpointRole, Exchange } from '../core/trace.js';
import type { TraceRecorder } from './recorder.js';

export interface ServeOptions {
  server: Exchange['server'];
  /** Read on every request, so handlers added at run time take effect at once. */
  handlers: () => RequestHandler[];
  recorder: TraceRecorder;
  /** Header naming the actor of a request; stripped before handlers and the trace see it. */
  actorHeader: string;
  defaultActor: string;
  roleOf: (url: URL) => EndpointRole;
  /**
   * Who opened a connection, from its ports (the client's, then this server's); undefined leaves
   * the default. Asked at most once per connection, on its first request that names no actor.
   */
  actorOf?: (remotePort: number, localPort: number) => string | undefined;
  /** A fixed port at 127.0.0.1, for an issuer a server under test is configured with; an ephemeral one when absent. */
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP. */
  tls?: { key: string; cert: string };
}

export interface ServedOrigin {
  readonly origin: string;
  close(): Promise<void>;
}

async function readBody(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/**
 * The actor of a connection, asked once and kept with the socket: keep-alive connections carry many
 * requests, and the owner of a connection never changes.
 */
const connectionActors = new WeakMap<Socket, string | undefined>();

function connectionActor(options: ServeOptions, socket: Socket): string | undefined {
  if (!options.actorOf) return undefined;
  if (connectionActors.has(socket)) return connectionActors.get(socket);
  let actor: string | undefined;
  try {
    const { remotePort, localPort } = socket;
    actor = remotePort !== undefined && localPort !== undefined ? options.actorOf(remotePort, localPort) : undefined;
  } catch {
    actor = undefined; // attribution is a nicety: a request is never lost for its sake
  }
  connectionActors.set(socket, actor);
  return actor;
}

async function exchange(options: ServeOptions, origin: string, message: IncomingMessage, reply: ServerResponse): Promise<void> {
  const { recorder } = options;
  const at = recorder.now();
  const headers = new Headers();
  let named: string | undefined;
  const raw = message.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === options.actorHeader) named = raw[i + 1];
    else headers.append(name, raw[i + 1]);
  }
  // The kit's own requests (the browser) say who they are; client connections are looked up.
  const actor = named ?? connectionActor(options, message.socket) ?? options.defaultActor;
  const method = message.method ?? 'GET';
  const url = origin + (message.url ?? '/');
  const body = await readBody(message);
  const { response, payload, headers: responseHeaders } = await answerRecorded(
    { handlers: options.handlers(), recorder, server: options.server, role: options.roleOf(new URL(url)), actor, url, at },
    requestOf(url, method, headers, body),
    body,
  );

  const cookies = response.headers.getSetCookie();
  reply.writeHead(response.status, cookies.length > 0 ? { ...responseHeaders, 'set-cookie': cookies } : responseHeaders);
  reply.end(method === 'HEAD' ? undefined : payload);
}

export async function serveHandlers(options: ServeOptions): Promise<ServedOrigin> {
  let origin = '';
  const serve = (message: IncomingMessage, reply: ServerResponse): void => {
    exchange(options, origin, message, reply).catch(() => {
      // The connection broke mid-request (client gone); there is no one left to answer.
      if (!reply.headersSent) reply.writeHead(500);
      reply.end();
    });
  };
  const server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, serve) : createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  return {
    origin,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets would otherwise hold the port until their idle timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

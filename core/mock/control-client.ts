// `mock token`: finds the control API of a mock already running and has it mint a token, so the
// token is signed by that mock's key and its resource server (or the developer's) accepts it.
import { CLIENT_MODE_PORTS, SERVER_MODE_PORTS } from './service.js';
import { MOCK_SERVICE, type MockInfo } from './control-api.js';

/** Nothing answered as a mock's control API where it was looked for. */
export class NoMockRunning extends Error {}

/** The control API answered, but refused (a bad scope, a mode that cannot do it). */
export class ControlRefused extends Error {}

/** How long a port that accepts connections may take to say whether it is a mock. */
const ASK_TIMEOUT_MS = 5000;

async function infoAt(control: string): Promise<MockInfo | undefined> {
  try {
    const answer = await fetch(`${control}/info`, { signal: AbortSignal.timeout(ASK_TIMEOUT_MS) });
    if (!answer.ok) return undefined;
    const info = (await answer.json()) as Partial<MockInfo>;
    return info.service === MOCK_SERVICE ? (info as MockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The control API of the mock started with --port `port`: at port+1 for the server mode, port+3
 * for the client mode (tried in that order), or at `controlUrl` when given.
 */
export async function findControlApi(where: { port: number; controlUrl?: string }): Promise<{ control: string; info: MockInfo }> {
  const candidates = where.controlUrl !== undefined ? [where.controlUrl.replace(/\/+$/, '')] : [SERVER_MODE_PORTS.control, CLIENT_MODE_PORTS.control].map((offset) => `http://127.0.0.1:${where.port + offset}`);
  for (const control of candidates) {
    const info = await infoAt(control);
    if (info) return { control, info };
  }
  throw new NoMockRunning(
    where.controlUrl !== undefined
      ? `no mock answers at ${where.controlUrl} (give the control API URL the mock printed)`
      : `no mock is running on port ${where.port}: nothing answered as its control API on 127.0.0.1:${where.port + SERVER_MODE_PORTS.control} (started with --resource) or :${where.port + CLIENT_MODE_PORTS.control} (without); start one with mcp-auth-conformance mock --port ${where.port}`,
  );
}

export interface TokenRequest {
  scope?: string;
  ttl?: number;
  sub?: string;
  format?: 'jwt' | 'opaque';
}

/** Asks the control API for an access token; returns it. */
export async function requestToken(control: string, request: TokenRequest): Promise<string> {
  let answer: Response;
  try {
    answer = await fetch(`${control}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(ASK_TIMEOUT_MS),
    });
  } catch (error) {
    throw new NoMockRunning(`the mock at ${control} stopped answering: ${(error as Error).message}`);
  }
  const body = (await answer.json().catch(() => ({}))) as { access_token?: string; error?: string };
  if (!answer.ok || typeof body.access_token !== 'string') throw new ControlRefused(`the mock refused: ${body.error ?? `HTTP ${answer.status}`}`);
  return body.access_token;
}

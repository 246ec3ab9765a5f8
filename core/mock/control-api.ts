// The control API of a running mock: JSON over HTTP on a loopback port of its own, written as MSW
// handlers and served by the kit's loopback adapter like the world itself. What it can do depends on
// the mode; an operation of the other mode answers 404 saying so.
import { http, HttpResponse, type RequestHandler } from 'msw';
import { serveHandlers, type ServedOrigin } from '../../mocks/http-server.js';
import { bool, choice, integer, isMapping, nullable, optional, readFields, required, shown, text } from '../../mocks/knob-schema.js';
import type { WorldKnobs } from '../../mocks/knobs.js';
import { ACTOR_HEADER } from '../../mocks/world.js';
import type { LiveVerdict } from '../live-verdicts.js';
import type { EndpointRole } from '../trace.js';
import type { FaultBoard, FaultSpec } from '../../mocks/faults.js';
import { readFaultSpec } from '../../mocks/faults.js';
import { KnobMistakes, type MockMode } from './knob-config.js';
import { DiscardingRecorder, type TraceFeed } from './trace-feed.js';

/** What GET /info answers with `service`, so that `mock token` knows it found a mock and not something else. */
export const MOCK_SERVICE = 'mcp-auth-conformance mock';

export interface MockInfo {
  service: typeof MOCK_SERVICE;
  version: string;
  mode: MockMode;
  /** Named URLs: mcp, issuer, prm, jwks, introspection, control, page... */
  urls: Record<string, string>;
  ports: Record<string, number>;
  /** Client mode: the scenario whose world this is and whose checks judge it. */
  scenario?: string;
  specVersion?: string;
  /** Server mode: the resource tokens are issued for, and the introspection credentials. */
  resource?: string;
  introspectionClient?: { id: string; secret: string };
}

export interface TokenOrder {
  scope?: string;
  ttlSeconds?: number;
  sub?: string;
  clientId?: string;
  format: 'jwt' | 'opaque';
}

/** What the control API drives: the mock of either mode. */
export interface MockTarget {
  readonly mode: MockMode;
  info(): MockInfo;
  readonly feed: TraceFeed;
  readonly faults: FaultBoard;
  /** The endpoint roles this mock has, that faults may name. */
  readonly faultRoles: readonly EndpointRole[];
  /** Moves whenever what the page shows may have changed. */
  version(): number;
  /** The changing part of the page, and the whole page. */
  view(): string;
  page(): string;
  /** Clears the trace (and, in client mode, the verdicts seen). */
  reset(): void;
  issueToken(order: TokenOrder): Promise<Record<string, unknown>>;
  /** Returns the new key ids. */
  rotateKeys(withdraw: boolean): Promise<string[]>;
  client?: {
    verdicts(): { scenario: string; specVersion: string; strict: boolean; judgedInMs: number; verdicts: LiveVerdict[] };
    knobs(): WorldKnobs;
    /** Throws KnobMistakes. */
    patchKnobs(data: unknown): Promise<WorldKnobs>;
    expireAccessTokens(): void;
    /** Every family, or the one `token` belongs to; how many families this revoked (undefined: an unknown token). */
    revokeRefreshTokens(token?: string): number | undefined;
    stepUp(tool: string, scopes: string[] | null): Promise<Record<string, string[]>>;
  };
  server?: {
    /** From now on introspection calls this opaque token inactive. */
    revokeToken(token: string): void;
  };
}

/** A request the control API refuses: status and the one-line reason, plus every mistake where there are several. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly mistakes?: string[],
  ) {
    super(message);
  }
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const json = (body: unknown, status = 200): Response => HttpResponse.json(body as Record<string, unknown>, { status, headers: NO_STORE });

async function jsonBody(request: Request): Promise<unknown> {
  const body = await request.text();
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new ControlError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}

function refused(mistakes: string[]): ControlError {
  return new ControlError(400, mistakes.join('; '), mistakes);
}

/** Reads a body of named members, every mistake at once. */
function members(body: unknown, fields: Parameters<typeof readFields>[0]): Record<string, unknown> {
  if (!isMapping(body)) throw new ControlError(400, `expected a JSON object; got ${shown(body)}`);
  const mistakes: string[] = [];
  const read = readFields(fields, body, '', mistakes, { partial: false, what: 'member' });
  if (!read) throw refused(mistakes);
  return read;
}

const TOKEN_FIELDS = {
  scope: optional(text()),
  ttl: optional(integer(1)),
  sub: optional(text({ nonEmpty: true })),
  client_id: optional(text({ nonEmpty: true })),
  format: optional(choice(['jwt', 'opaque'] as const)),
};

function tokenOrder(body: unknown): TokenOrder {
  const read = members(body, TOKEN_FIELDS) as { scope?: string; ttl?: number; sub?: string; client_id?: string; format?: 'jwt' | 'opaque' };
  return {
    format: read.format ?? 'jwt',
    ...(read.scope ? { scope: read.scope.trim().split(/\s+/).join(' ') } : {}),
    ...(read.ttl !== undefined ? { ttlSeconds: read.ttl } : {}),
    ...(read.sub !== undefined ? { sub: read.sub } : {}),
    ...(read.client_id !== undefined ? { clientId: read.client_id } : {}),
  };
}

/** `scope: null` takes the tool's requirement away. */
function stepUpOrder(body: unknown): { tool: string; scopes: string[] | null } {
  const read = members(body, { tool: required(text({ nonEmpty: true })), scope: required(nullable(text({ nonEmpty: true }))) }) as { tool: string; scope: string | null };
  return { tool: read.tool, scopes: read.scope === null ? null : read.scope.trim().split(/\s+/) };
}

type Mode = 'client' | 'server' | 'both';

interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  mode: Mode;
  answer(request: Request, url: URL): Promise<Response> | Response;
}

/** A client-mode POST that takes no body, does one thing and says so. */
function act(path: string, run: () => void, said: Record<string, unknown>): Operation {
  return {
    method: 'POST',
    path,
    mode: 'client',
    answer: () => {
      run();
      return json(said);
    },
  };
}

function operations(target: MockTarget): Operation[] {
  const client = () => target.client!;
  return [
    { method: 'GET', path: '/', mode: 'both', answer: () => new HttpResponse(target.page(), { headers: { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE } }) },
    { method: 'GET', path: '/view', mode: 'both', answer: () => new HttpResponse(target.view(), { headers: { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE } }) },
    { method: 'GET', path: '/version', mode: 'both', answer: () => json({ version: target.version(), epoch: target.feed.epoch, exchanges: target.feed.recorded().length }) },
    { method: 'GET', path: '/info', mode: 'both', answer: () => json(target.info()) },
    {
      method: 'GET',
      path: '/trace',
      mode: 'both',
      answer: (_request, url) => {
        const since = url.searchParams.get('since') ?? '0';
        if (!/^\d+$/.test(since)) throw new ControlError(400, `since must be an exchange id (a whole number), not ${JSON.stringify(since)}`);
        const exchanges = target.feed.since(Number(since));
        return json({ epoch: target.feed.epoch, last: target.feed.recorded().length, exchanges });
      },
    },
    {
      method: 'POST',
      path: '/reset',
      mode: 'both',
      answer: () => {
        const cleared = target.feed.recorded().length;
        target.reset();
        return json({ cleared, epoch: target.feed.epoch });
      },
    },
    { method: 'POST', path: '/token', mode: 'both', answer: async (request) => json(await target.issueToken(tokenOrder(await jsonBody(request)))) },
    {
      method: 'POST',
      path: '/keys/rotate',
      mode: 'both',
      answer: async (request) => {
        const read = members(await jsonBody(request), { withdraw: optional(bool) });
        const withdraw = read.withdraw === true;
        return json({ kids: await target.rotateKeys(withdraw), withdrawn: withdraw });
      },
    },
    { method: 'GET', path: '/faults', mode: 'both', answer: () => json({ faults: target.faults.list() }) },
    {
      method: 'POST',
      path: '/faults',
      mode: 'both',
      answer: async (request) => {
        const mistakes: string[] = [];
        const spec: FaultSpec | undefined = readFaultSpec(await jsonBody(request), target.faultRoles, mistakes);
        if (!spec) throw refused(mistakes);
        return json({ fault: target.faults.add(spec), faults: target.faults.list() }, 201);
      },
    },
    { method: 'DELETE', path: '/faults', mode: 'both', answer: () => json({ cleared: target.faults.clear() }) },
    { method: 'GET', path: '/verdicts', mode: 'client', answer: () => json(client().verdicts()) },
    { method: 'GET', path: '/knobs', mode: 'client', answer: () => json({ knobs: client().knobs() }) },
    {
      method: 'PATCH',
      path: '/knobs',
      mode: 'client',
      answer: async (request) => {
        const body = await jsonBody(request);
        try {
          return json({ knobs: await client().patchKnobs(body) });
        } catch (error) {
          if (error instanceof KnobMistakes) throw refused(error.mistakes);
          throw error;
        }
      },
    },
    act('/tokens/expire', () => client().expireAccessTokens(), { expired: true }),
    {
      method: 'POST',
      path: '/refresh-tokens/revoke',
      mode: 'client',
      answer: async (request) => {
        const read = members(await jsonBody(request), { refresh_token: optional(text({ nonEmpty: true })) }) as { refresh_token?: string };
        const families = client().revokeRefreshTokens(read.refresh_token);
        // A token the world never issued is a mistake worth saying; an already revoked family is not.
        if (families === undefined) throw new ControlError(404, 'no refresh token of this world has that value');
        return json({ revoked: true, families });
      },
    },
    {
      method: 'POST',
      path: '/step-up',
      mode: 'client',
      answer: async (request) => {
        const order = stepUpOrder(await jsonBody(request));
        return json({ toolScopes: await client().stepUp(order.tool, order.scopes) });
      },
    },
    {
      method: 'POST',
      path: '/tokens/revoke',
      mode: 'server',
      answer: async (request) => {
        const read = members(await jsonBody(request), { token: required(text({ nonEmpty: true })) });
        const token = read.token as string;
        if (!token.startsWith('opaque-')) {
          throw new ControlError(400, 'only opaque tokens (POST /token {"format":"opaque"}) can be revoked; a JWT stays valid until it expires or its key is withdrawn (POST /keys/rotate {"withdraw":true})');
        }
        target.server!.revokeToken(token);
        return json({ revoked: true });
      },
    },
  ];
}

const MODE_NAMES: Record<MockMode, string> = { client: 'client-mode mock (started without --resource)', server: 'server-mode mock (started with --resource)' };

function handlersOf(target: MockTarget, origin: string, port: number): RequestHandler[] {
  const ops = operations(target);
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = new Set([origin, `http://localhost:${port}`]);
  // A web page elsewhere must not drive the mock through the developer's browser: requests naming
  // another host (DNS rebinding) or sent from another origin are refused.
  const guard = http.all('*', ({ request }) => {
    const host = request.headers.get('host');
    const from = request.headers.get('origin');
    if (host !== null && !allowedHosts.has(host)) return json({ error: `the control API answers requests for 127.0.0.1:${port} only, not ${host}` }, 403);
    if (from !== null && !allowedOrigins.has(from)) return json({ error: `requests from ${from} are refused: the control API serves its own page only` }, 403);
    return undefined;
  });
  const served = ops.map((op) =>
    http[op.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](`${origin}${op.path}`, async ({ request }) => {
      if (op.mode !== 'both' && op.mode !== target.mode) {
        return json({ error: `${op.method} ${op.path} is an operation of the ${MODE_NAMES[op.mode]}; this is the ${MODE_NAMES[target.mode]}` }, 404);
      }
      try {
        return await op.answer(request, new URL(request.url));
      } catch (error) {
        if (error instanceof ControlError) return json({ error: error.message, ...(error.mistakes ? { mistakes: error.mistakes } : {}) }, error.status);
        return json({ error: `the mock failed: ${(error as Error).message}` }, 500);
      }
    }),
  );
  const fallback = http.all('*', ({ request }) => {
    const { pathname } = new URL(request.url);
    const same = ops.filter((op) => op.path === pathname);
    if (same.length > 0) return json({ error: `${request.method} ${pathname} is not an operation; ${same.map((op) => `${op.method} ${op.path}`).join(', ')} is` }, 405);
    return json({ error: `no operation ${request.method} ${pathname}; the operations are ${ops.filter((op) => op.mode === 'both' || op.mode === target.mode).map((op) => `${op.method} ${op.path}`).join(', ')}` }, 404);
  });
  return [guard, ...served, fallback];
}

/** Serves the control API of `target` on 127.0.0.1:`port` (0: a free port). */
export async function serveControlApi(target: MockTarget, port: number): Promise<ServedOrigin> {
  let handlers: RequestHandler[] = [];
  const served = await serveHandlers({
    server: 'external',
    handlers: () => handlers,
    recorder: new DiscardingRecorder(),
    actorHeader: ACTOR_HEADER,
    defaultActor: 'control',
    roleOf: () => 'unknown',
    port,
  });
  handlers = handlersOf(target, served.origin, Number(new URL(served.origin).port));
  return served;
}

// The world a server under test trusts: the mock authorization server (the same handlers the client
// suite's world is built from) published at one issuer, with what a resource server needs of it
// besides: a JWKS that can rotate, RFC 7662 introspection for opaque tokens, and an upstream API the
// server may call, so that a forwarded client token shows in the trace.
import { http, HttpResponse, type RequestHandler } from 'msw';
import type { EndpointRole, Exchange, ProcessEvent, ProcessEventKind } from '../core/trace.js';
import { publishedKeys } from './authorization-server/context.js';
import { authorizationServerHandlers, createAuthorizationServer, rotateSigningKey } from './authorization-server/index.js';
import { metadataDocument, metadataUrl } from './authorization-server/metadata.js';
import { oauthError } from './authorization-server/oauth-error.js';
import { serveHandlers, type ServedOrigin } from './http-server.js';
import { DEFAULT_KNOBS, type AsKnobs } from './knobs.js';
import { RecorderSwitch, type TraceRecorder } from './recorder.js';
import { opaqueToken, payloadOf, TokenForge, type ClaimSet } from './token-forge.js';
import { generateSigningKey, randomToken, type SigningKey } from './tokens.js';

/** Requests that reach the issuer or the upstream API come from the server under test. */
export const SERVER_ACTOR = 'server';

export interface IssuerOptions {
  /** The resource identifier (the MCP URL) tokens are issued for. */
  resource: string;
  /** A fixed port for the issuer (--as-port); ephemeral when absent. */
  port?: number;
  /**
   * The introspection credentials, for a server configured before the run (--url); fresh random
   * ones when absent, handed to a started server in its environment.
   */
  introspectionClient?: { id: string; secret: string };
  /** Authorization-server knobs besides the defaults (a refresh policy, say). */
  as?: Partial<AsKnobs>;
}

/** The introspection credentials of an issuer a running server was configured with in advance (documented). */
export const FIXED_INTROSPECTION_CLIENT = { id: 'conformance-resource-server', secret: 'conformance-introspection-secret' };

/** What an opaque token stands for, as introspection will tell it. */
interface OpaqueRecord {
  claims: Record<string, unknown>;
  active: boolean;
}

export interface Issuer {
  readonly issuer: string;
  readonly metadataUrl: string;
  readonly jwksUri: string;
  readonly introspectionEndpoint: string;
  /** The server's own credentials at the introspection endpoint (client_secret_basic or _post). */
  readonly introspectionClient: { id: string; secret: string };
  /** The upstream API a server may call while it handles tools/call. */
  readonly upstreamUrl: string;
  /** The server's own credential for the upstream API: a token issued for that API, not for the server. */
  readonly upstreamToken: string;
  readonly forge: TokenForge;
  /** The resource tokens are issued for. */
  readonly resource: string;
  /** Scenario by scenario: exchanges with the issuer and the upstream API go to this recorder. */
  recordInto(recorder: TraceRecorder): void;
  /** An opaque token that introspection describes with these claims (active unless said otherwise). */
  opaque(claims: ClaimSet, active?: boolean): string;
  /** From now on introspection calls the token inactive (RFC 7662 §2.2), as after a revocation. */
  revoke(token: string): void;
  /** Publishes a new signing key beside the current ones and returns it; tokens the kit mints later use it only when told to. */
  rotateKey(): Promise<SigningKey>;
  /**
   * Signs everything from now on (the forge's tokens and the token endpoint's) with a new key, the
   * old ones still published unless `withdraw` takes them off the JWKS, as after a compromise.
   */
  rotateSigningKey(withdraw?: boolean): Promise<SigningKey>;
  /** Prepends handlers that take precedence over the issuer's own (MSW's `use()`): injected faults. */
  use(...handlers: RequestHandler[]): void;
  /** Drops handlers added with `use()`. */
  resetHandlers(): void;
  /** Which endpoint a URL of the issuer or the upstream API is, as the trace records it. */
  roleOf(url: URL): EndpointRole;
  /** performance.now() of the last JWKS fetch, by anyone; undefined before the first. */
  lastJwksFetch(): number | undefined;
  close(): Promise<void>;
}

const UPSTREAM_PATH = '/upstream/api';

function roleOf(url: URL, jwks: string, introspection: string): EndpointRole {
  const href = url.origin + url.pathname;
  if (href === jwks) return 'jwks';
  if (href === introspection) return 'introspection';
  if (url.pathname.startsWith('/.well-known/')) return 'as-metadata';
  if (url.pathname === '/token') return 'token';
  if (url.pathname === '/authorize') return 'authorize';
  if (url.pathname === '/register') return 'register';
  return 'unknown';
}

/** RFC 7662 §2.1: the caller authenticates with client_secret_basic or client_secret_post. */
function introspectionCaller(request: Request, form: URLSearchParams): { id: string; secret: string } | undefined {
  const basic = /^basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id !== null && secret !== null ? { id, secret } : undefined;
}

export async function startIssuer(options: IssuerOptions): Promise<Issuer> {
  const recorder = new RecorderSwitch();
  let handlers: RequestHandler[] = [];
  let added: RequestHandler[] = [];
  let urls = { jwks: '', introspection: '' };
  let upstreamOrigin = '';
  const classify = (url: URL): EndpointRole => (url.origin === upstreamOrigin ? 'upstream' : roleOf(url, urls.jwks, urls.introspection));
  const serve = (server: 'as' | 'upstream', port?: number): Promise<ServedOrigin> =>
    serveHandlers({
      server,
      handlers: () => (added.length > 0 ? [...added, ...handlers] : handlers),
      recorder,
      // Nothing the kit sends here needs telling apart: every request is the server's.
      actorHeader: 'x-mcp-auth-conformance-actor',
      defaultActor: SERVER_ACTOR,
      roleOf: classify,
      ...(port !== undefined ? { port } : {}),
    });
  const as = await serve('as', options.port);
  let upstream: ServedOrigin;
  try {
    upstream = await serve('upstream');
  } catch (error) {
    await as.close();
    throw error;
  }

  upstreamOrigin = upstream.origin;
  const issuer = as.origin;
  const endpoints = { authorize: `${issuer}/authorize`, token: `${issuer}/token`, register: `${issuer}/register`, jwks: `${issuer}/jwks` };
  const introspectionEndpoint = `${issuer}/introspect`;
  urls = { jwks: endpoints.jwks, introspection: introspectionEndpoint };
  const resource = options.resource;
  const opaqueTokens = new Map<string, OpaqueRecord>();
  const authorizationServer = await createAuthorizationServer({
    issuer,
    endpoints,
    knobs: { ...DEFAULT_KNOBS.as, tokenAuthMethods: ['none', 'client_secret_basic'], ...options.as },
    resources: [resource],
  });
  let jwksFetchedAt: number | undefined;
  const introspectionClient = options.introspectionClient ?? { id: 'conformance-resource-server', secret: randomToken(24) };
  const forge = new TokenForge({ issuer, audience: resource, key: () => authorizationServer.key });
  const upstreamUrl = upstream.origin + UPSTREAM_PATH;
  const upstreamToken = await forge.jwt({ claims: { aud: upstream.origin, sub: 'conformance-resource-server', scope: 'upstream' } });

  const withIntrospection = (document: Record<string, unknown>): Record<string, unknown> => ({
    ...document,
    introspection_endpoint: introspectionEndpoint,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  });
  const introspect = http.post(introspectionEndpoint, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const caller = introspectionCaller(request, form);
    if (!caller || caller.id !== introspectionClient.id || caller.secret !== introspectionClient.secret) {
      return oauthError(401, 'invalid_client', 'unknown caller or wrong secret', { 'WWW-Authenticate': 'Basic realm="introspection"' });
    }
    const token = form.get('token');
    if (token === null) return oauthError(400, 'invalid_request', 'token is missing');
    const record = opaqueTokens.get(token);
    const now = Math.floor(Date.now() / 1000);
    const expired = typeof record?.claims.exp === 'number' && record.claims.exp <= now;
    const early = typeof record?.claims.nbf === 'number' && record.claims.nbf > now;
    // RFC 7662 §2.2: an unknown, expired, revoked or not-yet-valid token is simply inactive.
    if (!record || !record.active || expired || early) return HttpResponse.json({ active: false }, { headers: { 'Cache-Control': 'no-store' } });
    return HttpResponse.json({ active: true, token_type: 'Bearer', ...record.claims }, { headers: { 'Cache-Control': 'no-store' } });
  });

  const build = (): RequestHandler[] => [
    http.get(metadataUrl(issuer, '', 'oauth'), () => HttpResponse.json(withIntrospection(metadataDocument(authorizationServer, 'oauth')))),
    http.get(metadataUrl(issuer, '', 'oidc-inserted'), () => HttpResponse.json(withIntrospection(metadataDocument(authorizationServer, 'oidc')))),
    http.get(endpoints.jwks, () => {
      jwksFetchedAt = performance.now();
      return HttpResponse.json({ keys: publishedKeys(authorizationServer).map((key) => key.publicJwk) });
    }),
    introspect,
    http.all(`${upstream.origin}/*`, () => HttpResponse.json({ ok: true, note: 'upstream API of mcp-auth-conformance' })),
    ...authorizationServerHandlers(authorizationServer, []),
  ];
  handlers = build();

  return {
    issuer,
    metadataUrl: metadataUrl(issuer, '', 'oauth'),
    jwksUri: endpoints.jwks,
    introspectionEndpoint,
    introspectionClient,
    upstreamUrl,
    upstreamToken,
    forge,
    resource,
    recordInto(next) {
      recorder.current = next;
    },
    opaque(claims, active = true) {
      const token = opaqueToken();
      const { jti: _unused, ...described } = payloadOf(claims, { issuer, audience: resource });
      opaqueTokens.set(token, { claims: described, active });
      return token;
    },
    revoke(token) {
      const record = opaqueTokens.get(token);
      if (record) record.active = false;
    },
    async rotateKey() {
      const key = await generateSigningKey();
      // Published beside the signing key, not signing: the forge uses it only when told to.
      authorizationServer.retiredKeys.push(key);
      return key;
    },
    rotateSigningKey: (withdraw = false) => rotateSigningKey(authorizationServer, withdraw),
    use(...more) {
      added = [...more, ...added];
    },
    resetHandlers() {
      added = [];
    },
    roleOf: classify,
    lastJwksFetch: () => jwksFetchedAt,
    async close() {
      await Promise.all([as.close(), upstream.close()]);
    },
  };
}

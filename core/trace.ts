// The trace: everything the world saw and the kit did during one scenario, as plain data.
// Traces are saved as fixtures and judged again, so nothing here may hold functions or sockets.

/** Which endpoint of the mock world an exchange hit. */
export type EndpointRole =
  | 'prm' // RFC 9728 protected resource metadata
  | 'as-metadata' // RFC 8414 or OIDC discovery document
  | 'authorize'
  | 'token'
  | 'register' // RFC 7591
  | 'jwks'
  | 'cimd' // a client ID metadata document the kit hosts for the client
  | 'mcp' // the MCP endpoint of the resource server
  | 'callback' // the client's own redirect_uri listener, reached by the kit acting as browser
  | 'introspection' // RFC 7662: asked by a server under test, or by the kit of an authorization server under test, about an opaque token
  | 'upstream' // the API the kit offers a server under test to call (token passthrough)
  | 'unknown'; // nothing in the world serves this URL (a wrong well-known path, say)

/** Who made a request: a client process instance (`client-1`, `client-2`, ...) or the kit's browser. */
export type Actor = string;
export const BROWSER_ACTOR: Actor = 'browser';

export interface RecordedRequest {
  method: string;
  url: string;
  /** Header names in lower case. Repeated headers are joined with ", " as Fetch does. */
  headers: Record<string, string>;
  body?: string;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface Exchange {
  /**
   * 1-based, in the order the world answered (recorded before the response leaves, so anything a
   * target does in reaction comes later); what evidence refers to.
   */
  id: number;
  /** Milliseconds since the scenario started, when the request arrived. */
  at: number;
  /** Milliseconds the world took to answer. */
  durationMs: number;
  actor: Actor;
  /**
   * Which server answered: the world's authorization server or resource server, the upstream API
   * it offers a server under test, or `target`, the server under test answering the kit.
   */
  server: 'as' | 'rs' | 'as2' | 'external' | 'upstream' | 'target';
  role: EndpointRole;
  /** What a request the kit made of a server under test was for (`no-token`, `expired-token`...); checks find their exchanges by it. */
  label?: string;
  /** Why a kit-made request got no response: the connection failed, or no answer came in time. */
  error?: string;
  request: RecordedRequest;
  /** Absent when the connection failed before an answer (only for kit-made requests). */
  response?: RecordedResponse;
}

export type ProcessEventKind = 'spawn' | 'exit' | 'timeout' | 'browser-open' | 'url-printed' | 'killed';

export interface ProcessEvent {
  kind: ProcessEventKind;
  actor: Actor;
  at: number;
  /** Exit code, signal, the URL opened, ... */
  detail?: Record<string, unknown>;
}

export interface ProcessOutcome {
  actor: Actor;
  command: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The process could not be started at all (ENOENT, EACCES...). */
  spawnError?: string;
  durationMs: number;
  /** The last lines of output, kept for the report. */
  stdoutTail: string;
  stderrTail: string;
}

/**
 * Facts about the world the checks need to judge without I/O: where things live and what the
 * world was configured to do. Filled in by the world when it starts.
 */
export interface WorldFacts {
  /** The URL handed to the client as its last argument. */
  mcpUrl: string;
  /** The canonical server URI a correct client sends as `resource` (RFC 8707, MCP "Canonical Server URI"). */
  canonicalResource: string;
  /**
   * The `resource` the PRM document names, where it differs from canonicalResource: the root PRM
   * document of RFC 9728 §3.3 names the origin its URL was built from. A client that validated
   * that document may send it as `resource` as well.
   */
  prmResource?: string;
  rsOrigin: string;
  asOrigin: string;
  /** The issuer identifier of the (first) authorization server. */
  issuer: string;
  /** Where the PRM document is served, if anywhere. */
  prmUrl?: string;
  /** Every AS metadata URL the world serves, in the order a correct client should try them. */
  asMetadataUrls: string[];
  /** The well-known URLs a correct client tries, in order, before it finds the metadata (C-ASM-03/04). */
  asMetadataProbeOrder: string[];
  endpoints: {
    authorize: string;
    token: string;
    register?: string;
    jwks: string;
  };
  /** The issuer of the second authorization server, when the world has one (knobs `as2`). */
  issuer2?: string;
  /** The second authorization server's endpoints, when the world has one. */
  endpoints2?: {
    authorize: string;
    token: string;
    register?: string;
    jwks: string;
  };
  /** Client credentials the AS knows in advance and hands to the client in MCP_CONFORMANCE_CONTEXT. */
  preRegistered?: { client_id: string; client_secret?: string };
  /** The CIMD URL the client is expected to use as client_id, when the AS supports CIMD. */
  cimdUrl?: string;
  /** The scope the resource server names in its 401 challenge, if any. */
  challengeScope?: string;
  /** PRM scopes_supported, if advertised. */
  scopesSupported?: string[];
  /** The knobs the world was built from, verbatim, for checks that depend on them. */
  knobs: unknown;
}

/**
 * What the kit knew of a server under test (the server suite) when it judged it: where it lives,
 * which authorization server it trusts, what tokens it was given and what it was found to require.
 */
export interface ServerFacts {
  /** The MCP endpoint probed; also the resource identifier tokens are issued for. */
  mcpUrl: string;
  /** The path-inserted PRM URL of RFC 9728 §3.1 for mcpUrl. */
  prmUrl: string;
  /** The root PRM URL (RFC 9728 §3: the identifier is then the origin). */
  rootPrmUrl: string;
  /** The kit started the server (--command) or found it running (--url). */
  started: 'command' | 'url';
  /** JWT access tokens checked against the JWKS, or opaque ones checked by introspection. */
  tokenFormat: 'jwt' | 'opaque';
  issuer: string;
  jwksUri: string;
  introspectionEndpoint: string;
  /** Every scope the kit put in a valid token: what the server advertised and challenged for. */
  scopes: string[];
  /** Scopes the user stated a tool needs (--tool-scope tool=scope). */
  toolScopes: Record<string, string[]>;
  /** The upstream API offered to the server, when it was. */
  upstreamUrl?: string;
}

/** A client of the authorization server under test that the kit acts as. */
export interface AuthorizationServerClient {
  client_id: string;
  client_secret?: string;
  /** How it authenticates at the token endpoint. */
  authMethod: 'none' | 'client_secret_basic' | 'client_secret_post';
  /** Given with --client-id, registered by the kit (RFC 7591), or a client ID metadata document the kit hosts (CIMD). */
  source: 'given' | 'registered' | 'metadata-document';
}

/**
 * What the kit knew of an authorization server under test (the authorization-server suite) when it
 * judged it: where it lives, what it published, and the client the kit acted as.
 */
export interface AuthorizationServerFacts {
  /** The issuer identifier the kit was given (--issuer) or handed a started server. */
  issuer: string;
  /** The RFC 8414 §3.1 URL: the well-known segment inserted between host and path. */
  metadataUrl: string;
  /** The OpenID Connect discovery URL (issuer + /.well-known/openid-configuration). */
  oidcUrl: string;
  /** The metadata document the scenarios relied on (RFC 8414, else OIDC), as the server sent it; absent when neither was usable. */
  metadata?: Record<string, unknown>;
  /** Where `metadata` came from. */
  metadataSource?: 'rfc8414' | 'oidc';
  /** The MCP server URL tokens are asked for (RFC 8707 `resource`). */
  resource: string;
  /** The scope asked for in authorization requests, when the user gave one. */
  scope?: string;
  /** The redirect URI the kit registers and authorizes with (--redirect-uri). */
  redirectUri: string;
  /** The run's client, when the kit had one (given, or registered before the scenarios). */
  client?: AuthorizationServerClient;
  /** Why the kit has no client: no registration endpoint and no --client-id, or the registration was refused. */
  noClient?: string;
  /** The kit started the server (--command) or found it running (--issuer). */
  started: 'command' | 'issuer';
  /** How authorization requests were completed: the kit's user agent, or the user's --login-command. */
  login: 'user-agent' | 'command';
}

/**
 * Where one authorization request ended, as the kit's user agent (or the user's login command) saw
 * it: at the client's redirect URI with a response, or somewhere else (an error page, a login that
 * failed). Plain data, so checks judge it like any exchange.
 */
export interface AuthorizationRecord {
  /** The label of the request that started it; its exchanges are labelled `label` and `label:step-N`. */
  label: string;
  /** The authorization request URL. */
  requestUrl: string;
  /** The redirect URI the request named (or would have, had it named one). */
  redirectUri: string;
  outcome: 'redirected' | 'stopped';
  /** Where the user agent was sent, for `redirected`. */
  url?: string;
  /** The authorization response parameters (code, state, iss, error...), for `redirected`. */
  params?: Record<string, string>;
  /** The parameters came in the query, the fragment, or a form posted to the redirect URI. */
  from?: 'query' | 'fragment' | 'form_post';
  /** Why it ended elsewhere, for `stopped`. */
  reason?: string;
  /** The exchange that sent it there, or the page it stopped at; absent when a login command drove it. */
  exchange?: number;
}

/**
 * One start of the client command within a scenario (ClientRun), as it happened: checks split the
 * traffic by run with it (the instances it started, its time span) and know what the world did
 * before it.
 */
export interface RunRecord {
  /** 0-based position among the scenario's runs (the runs of the case, for a property scenario). */
  index: number;
  label: string;
  /** The instances this run started (`client-3`, `client-4`...), numbered across the scenario's runs. */
  actors: Actor[];
  /** Milliseconds since the scenario started, like Exchange.at: when the first copy could start, after the world changes. */
  startedAt: number;
  /** When the last of its copies had ended. */
  endedAt: number;
  /** The world's knobs during this run (WorldKnobs), after this run's and earlier runs' overrides. */
  knobs: unknown;
  /** Every access token issued before this run was expired server-side just before it. */
  expiredTokens: boolean;
  /** Every refresh-token family issued before this run was revoked just before it (absent: not revoked). */
  revokedRefreshTokens?: boolean;
  /** A correct client may exit non-zero in this run (the run's or the scenario's clientRefuses). */
  clientRefuses: boolean;
}

export interface Trace {
  scenario: string;
  specVersion: string;
  startedAt: string;
  /** The world as the first run found it; later runs' knobs are in `runs`. */
  world: WorldFacts;
  exchanges: Exchange[];
  events: ProcessEvent[];
  /** Every client process of every run, in the order of their actors. */
  processes: ProcessOutcome[];
  /**
   * The runs, in order; always written by the engine. Absent from traces saved before runs
   * existed, which are one run of every process.
   */
  runs?: RunRecord[];
  /** Present in server-suite traces: the server under test and what the kit learned of it. */
  server?: ServerFacts;
  /** Present in authorization-server-suite traces. */
  authorizationServer?: AuthorizationServerFacts;
  /** Authorization-server suite: where each authorization request ended, in the order they were made. */
  authorizations?: AuthorizationRecord[];
}

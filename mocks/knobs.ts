// The knobs of the mock world: plain data that scenarios set and the world turns into MSW handlers.
// Each knob selects or composes small handlers; none of them is a branch inside one big handler.

export type TokenAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** Where the protected resource metadata (RFC 9728) document lives. */
export type PrmLocation =
  | 'path' // /.well-known/oauth-protected-resource/<mcp path> (path insertion)
  | 'root' // /.well-known/oauth-protected-resource
  | 'custom' // an unguessable URL, reachable only through the challenge's resource_metadata
  | 'none'; // no PRM at all (2025-03-26 servers)

/** Discovery documents the authorization server publishes (C-ASM-03/04 list the order clients try them). */
export type AsMetadataForm =
  | 'oauth' // RFC 8414: /.well-known/oauth-authorization-server{issuer path}
  | 'oidc-inserted' // /.well-known/openid-configuration{issuer path}
  | 'oidc-appended'; // {issuer path}/.well-known/openid-configuration

export interface PrmKnobs {
  location: PrmLocation;
  /** Name the PRM URL in the 401 challenge's `resource_metadata` parameter. */
  advertise: boolean;
  scopesSupported?: string[];
  /** The document's `resource`: the server's canonical URI, or one on another origin (PRM-C-04 trap). */
  resource: 'correct' | 'other-origin';
  /** `Cache-Control` on every PRM document served (RFC 9728 §7.10); absent sends none. */
  cacheControl?: string;
  /**
   * Which authorization server the document names, and so whose tokens the resource server
   * accepts (default 'first'). 'second' needs `as2`; flipping it between runs is an AS migration.
   */
  authorizationServer?: 'first' | 'second';
  /**
   * Every PRM URL of the resource server's origin, the root one included, answers this status (a
   * 5xx) instead of the document: an outage met while revalidating (DC-C-05).
   */
  unavailable?: number;
  /**
   * The authorization server moves under a running client (needs `as2`): once the resource server
   * has served this many requests with a valid token of the first authorization server, the
   * document names the second one and only its tokens are accepted; the first one's are refused
   * with 401 invalid_token (the official auth/authorization-server-migration does this after one).
   */
  migrateAfterAuthorizedRequests?: number;
}

export interface AsKnobs {
  /** '' for an issuer without a path, or a path such as '/tenant1'. */
  issuerPath: string;
  metadata: AsMetadataForm[];
  /** `issuer` in the metadata: the identifier the URL was built from, or another (C-ASM-05 trap). */
  issuerInMetadata: 'correct' | 'other';
  /** code_challenge_methods_supported; null leaves the member out (C-PKCE-04 trap). */
  pkceMethods: string[] | null;
  /** Advertise and serve an RFC 7591 registration endpoint. */
  registration: boolean;
  /** client_id_metadata_document_supported: true, with a CIMD document the kit hosts for the client. */
  cimd: boolean;
  tokenAuthMethods: TokenAuthMethod[];
  /** The AS knows a client in advance; the kit hands its credentials to the client in MCP_CONFORMANCE_CONTEXT. */
  preRegistered?: { client_id: string; client_secret?: string };
  /** The `iss` the authorization response carries (RFC 9207). */
  issParameter: 'correct' | 'wrong' | 'omit' | 'normalized';
  /** authorization_response_iss_parameter_supported in the metadata. */
  issSupported: boolean;
  /** The `state` the authorization response carries. */
  state: 'echo' | 'wrong' | 'omit';
  scopesSupported?: string[];
  /**
   * The scopes the user can consent to: an authorization grants the requested scopes that are in
   * this list and silently drops the rest (RFC 6749 §3.3 lets the server issue less than asked).
   * Absent: every requested scope is granted. A step-up that can never succeed needs it.
   */
  grantableScopes?: string[];
  accessTokenTtlSeconds: number;
  /** Issue (rotating) refresh tokens with every code redemption and refresh. */
  refreshTokens: boolean;
  /** What presenting a superseded refresh token does (default 'strict'); see RefreshPolicyName. */
  refreshPolicy?: RefreshPolicyName;
  /** The grace window of the 'grace-*' and 'latest-wins' policies, from the token's first use (default 2000). */
  refreshGraceMs?: number;
  /** How a refused refresh is answered (default 'invalid_grant'). */
  refreshRejection?: RefreshRejectionShape;
  /**
   * false: a refresh response carries no new refresh token and the presented one stays valid
   * (RFC 6749 §6 allows it; MCP clients must not assume a new one). Default true.
   */
  rotateRefreshTokens?: boolean;
  /**
   * The i-th request to this server's token endpoint (0-based, counted over the world's life,
   * reconfigurations included) waits that many ms before it is processed; missing entries are 0.
   */
  tokenLatencyMs?: number[];
  /**
   * Holds each refresh request until this many refresh requests are waiting (or 2 s have passed),
   * then processes them in arrival order: racing copies overlap at the AS deterministically.
   */
  refreshBarrier?: number;
  /**
   * The first `count` token requests matching `grant` (any grant when absent) get `status`
   * instead of being processed, so a failed request consumes nothing (429 carries Retry-After: 1).
   * Budgets are spent over the world's life; reconfiguring with a different list arms a fresh set.
   */
  tokenFaults?: TokenFault[];
  /** `Cache-Control` on every metadata document served (RFC 9728 §7.10, RFC 9111); absent sends none. */
  metadataCacheControl?: string;
}

/**
 * Refresh-token rotation as real authorization servers do it (research notes §2.3). "Grace"
 * applies only to the immediate predecessor: a superseded token at least one of whose successors
 * is still unused, presented within `refreshGraceMs` of its first use. Outside grace, a superseded
 * token is reuse: the whole family is revoked, the latest token included.
 * - 'strict': single use, no grace (node-oidc-provider, Logto, Keycloak, Auth0 with leeway 0);
 * - 'grace-same': the predecessor gets the same successor pair again (Supabase, Better Auth);
 * - 'grace-sibling': the predecessor mints another successor, all of them valid (Auth0, Ory);
 * - 'latest-wins': the predecessor mints another successor and revokes the earlier one (WSO2);
 * - 'no-invalidation': every token stays valid forever, each use mints a new one (Entra ID).
 */
export type RefreshPolicyName = 'strict' | 'grace-same' | 'grace-sibling' | 'latest-wins' | 'no-invalidation';

/**
 * How a refused refresh is answered (research notes §1.9): 400 invalid_grant per RFC 6749 §5.2,
 * the 401/403 some servers send, Anthropic's 404 not_found_error, Atlassian's unauthorized_client.
 */
export type RefreshRejectionShape = 'invalid_grant' | '401' | '403' | '404' | 'unauthorized_client';

export interface TokenFault {
  status: 429 | 500 | 502 | 503;
  count: number;
  grant?: 'refresh_token' | 'authorization_code';
}

export interface RsKnobs {
  /** Path of the MCP endpoint on the resource server origin. */
  mcpPath: string;
  /** `scope` in the 401 challenge. */
  challengeScope?: string;
  /** JSON-RPC methods served without a token (the official step-up scenario leaves initialize open). */
  publicMethods: string[];
  /** Scopes a token must carry to call a given tool; a token without them gets 403 insufficient_scope. */
  toolScopes?: Record<string, string[]>;
  /**
   * Every request with a valid token gets 403 insufficient_scope naming this scope, whatever the
   * token carries: a step-up that can never succeed (the official auth/scope-retry-limit).
   */
  alwaysInsufficientScope?: string;
  /** The first N distinct valid tokens are answered as revoked (401 invalid_token), forcing a new authorization. */
  revokeFirstTokens?: number;
  /**
   * The challenge's `resource_metadata` names `<resource server origin> + this path`, and the PRM
   * is served there too (RFC 9728 §5.2: a new challenge URL says the metadata may have changed).
   */
  resourceMetadataPath?: string;
  /**
   * How successive 403 insufficient_scope challenges differ (default 'none': identical): by an
   * error_description counter, or by parameter order. Both defeat string-equality loop guards.
   */
  challengeVariation?: 'none' | 'description' | 'order';
  /** tools/call of these tools gets a plain 403 with a JSON body and no WWW-Authenticate (a WAF, not a step-up). */
  bare403Tools?: string[];
  /** After this many authenticated requests were denied with 403, the MCP endpoint answers 410 to everything. */
  giveUpAfter?: number;
}

/**
 * 2025-03-26 servers: no PRM; the authorization server lives at the MCP server's origin.
 * - 'metadata-at-root': RFC 8414 metadata at the origin root, endpoints under /oauth/ (a client that
 *   ignores the metadata hits 404);
 * - 'default-endpoints': no metadata; /authorize, /token and /register at the origin root.
 */
export type LegacyMode = 'metadata-at-root' | 'default-endpoints';

export interface WorldKnobs {
  prm: PrmKnobs;
  as: AsKnobs;
  rs: RsKnobs;
  legacy?: LegacyMode;
  /**
   * Present: a second authorization server on its own origin, with its own key, clients, codes and
   * refresh families; issuer = its origin (plus issuerPath, if given). Merged over DEFAULT_KNOBS.as.
   */
  as2?: Partial<AsKnobs>;
}

export const DEFAULT_KNOBS: WorldKnobs = {
  prm: { location: 'path', advertise: true, resource: 'correct' },
  as: {
    issuerPath: '',
    metadata: ['oauth'],
    issuerInMetadata: 'correct',
    pkceMethods: ['S256'],
    registration: true,
    cimd: false,
    tokenAuthMethods: ['none'],
    issParameter: 'correct',
    issSupported: true,
    state: 'echo',
    accessTokenTtlSeconds: 3600,
    refreshTokens: true,
  },
  rs: { mcpPath: '/mcp', publicMethods: [] },
};

/** Partial knobs, merged one level deep over the defaults. */
export interface KnobOverrides {
  prm?: Partial<PrmKnobs>;
  as?: Partial<AsKnobs>;
  rs?: Partial<RsKnobs>;
  legacy?: LegacyMode;
  as2?: Partial<AsKnobs>;
}

export function knobs(overrides: KnobOverrides = {}): WorldKnobs {
  return mergeKnobs(DEFAULT_KNOBS, overrides);
}

/**
 * Overrides applied over complete knobs, one level deep: a run that sets `as.tokenFaults` keeps
 * every other `as` knob of the scenario and of earlier runs.
 */
export function mergeKnobs(base: WorldKnobs, overrides: KnobOverrides | undefined): WorldKnobs {
  if (!overrides) return base;
  const legacy = overrides.legacy ?? base.legacy;
  const as2 = overrides.as2 ? { ...base.as2, ...overrides.as2 } : base.as2;
  return {
    prm: { ...base.prm, ...overrides.prm },
    as: { ...base.as, ...overrides.as },
    rs: { ...base.rs, ...overrides.rs },
    ...(legacy ? { legacy } : {}),
    ...(as2 ? { as2 } : {}),
  };
}

/** The second authorization server's knobs, complete, when the world has one. */
export function secondAuthorizationServerKnobs(knobs: WorldKnobs): AsKnobs | undefined {
  return knobs.as2 ? { ...DEFAULT_KNOBS.as, ...knobs.as2 } : undefined;
}

/** The CIMD URL of the official suite's contract, so clients written for it run unchanged. */
export const CONFORMANCE_CIMD_URL = 'https://conformance-test.local/client-metadata.json';

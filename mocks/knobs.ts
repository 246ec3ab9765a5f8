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
  accessTokenTtlSeconds: number;
  /** Issue (rotating) refresh tokens with every code redemption and refresh. */
  refreshTokens: boolean;
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
  /** The first N distinct valid tokens are answered as revoked (401 invalid_token), forcing a new authorization. */
  revokeFirstTokens?: number;
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
}

export function knobs(overrides: KnobOverrides = {}): WorldKnobs {
  return {
    prm: { ...DEFAULT_KNOBS.prm, ...overrides.prm },
    as: { ...DEFAULT_KNOBS.as, ...overrides.as },
    rs: { ...DEFAULT_KNOBS.rs, ...overrides.rs },
    ...(overrides.legacy ? { legacy: overrides.legacy } : {}),
  };
}

/** The CIMD URL of the official suite's contract, so clients written for it run unchanged. */
export const CONFORMANCE_CIMD_URL = 'https://conformance-test.local/client-metadata.json';

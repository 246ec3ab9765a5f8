// Where everything of a world lives, computed from the knobs and the two origins before any
// handler exists, so the handlers, the facts and the trace roles all agree on one set of URLs.
import type { EndpointRole } from '../core/trace.js';
import type { AsEndpoints } from './authorization-server/context.js';
import type { MetadataPublication } from './authorization-server/index.js';
import { flavourOf, isMetadataPath, metadataProbeOrder, metadataUrl } from './authorization-server/metadata.js';
import { secondAuthorizationServerKnobs, type AsKnobs, type LegacyMode, type WorldKnobs } from './knobs.js';
import { isPrmPath, prmUrl } from './resource-server/prm.js';

export interface AuthorizationServerLayout {
  issuer: string;
  endpoints: AsEndpoints;
  /** Documents served, in the order a correct client reaches them. */
  metadata: MetadataPublication[];
  metadataProbeOrder: string[];
}

export interface WorldLayout extends AuthorizationServerLayout {
  rsOrigin: string;
  asOrigin: string;
  mcpUrl: string;
  canonicalResource: string;
  /**
   * The resource identifier the PRM document names. RFC 9728 §3.3: identical to the identifier its
   * well-known URL was built from (the origin, for the root document a client finds by probing),
   * or, when the challenge names the document, to the URL the client requested (the MCP URL).
   */
  prmResource: string;
  /** Every identifier the world answers to: tokens are minted for and accepted with any of them. */
  resources: string[];
  /** Where the PRM location knob puts the document. */
  prmUrl?: string;
  /** R + rs.resourceMetadataPath: served too, and named by the challenge instead of prmUrl. */
  resourceMetadataUrl?: string;
  /** The second authorization server (knobs.as2), on its own origin. */
  second?: AuthorizationServerLayout & { origin: string };
  /** Whose issuer the PRM names and whose tokens the resource server accepts. */
  trusted: 'first' | 'second';
}

function endpointsUnder(base: string, registration: boolean): AsEndpoints {
  return {
    authorize: base + '/authorize',
    token: base + '/token',
    ...(registration ? { register: base + '/register' } : {}),
    jwks: base + '/jwks',
  };
}

function separateAuthorizationServer(as: AsKnobs, asOrigin: string): AuthorizationServerLayout {
  const { issuerPath } = as;
  const issuer = asOrigin + issuerPath;
  const probeOrder = metadataProbeOrder(asOrigin, issuerPath);
  const served = new Map<string, MetadataPublication>();
  for (const form of as.metadata) {
    const url = metadataUrl(asOrigin, issuerPath, form);
    // Without an issuer path, the inserted and appended OIDC forms are the same URL.
    if (!served.has(url)) served.set(url, { url, flavour: flavourOf(form) });
  }
  const rank = (url: string) => probeOrder.indexOf(url);
  const metadata = [...served.values()].sort((a, b) => rank(a.url) - rank(b.url));
  return { issuer, endpoints: endpointsUnder(issuer, as.registration), metadata, metadataProbeOrder: probeOrder };
}

/** 2025-03-26 servers: the authorization server shares the MCP server's origin and is its own issuer. */
const legacyAuthorizationServers: Record<LegacyMode, (knobs: WorldKnobs, rsOrigin: string) => AuthorizationServerLayout> = {
  'metadata-at-root': (knobs, rsOrigin) => {
    const url = metadataUrl(rsOrigin, '', 'oauth');
    return {
      issuer: rsOrigin,
      endpoints: endpointsUnder(rsOrigin + '/oauth', knobs.as.registration),
      metadata: [{ url, flavour: 'oauth' }],
      metadataProbeOrder: [url],
    };
  },
  'default-endpoints': (knobs, rsOrigin) => ({
    issuer: rsOrigin,
    endpoints: endpointsUnder(rsOrigin, knobs.as.registration),
    metadata: [],
    metadataProbeOrder: [metadataUrl(rsOrigin, '', 'oauth')],
  }),
};

function secondAuthorizationServer(knobs: WorldKnobs, as2Origin: string | undefined): WorldLayout['second'] {
  const as2 = secondAuthorizationServerKnobs(knobs);
  if (!as2) return undefined;
  if (!as2Origin) throw new Error('the knobs ask for a second authorization server (as2) but no origin was given for it');
  return { origin: as2Origin, ...separateAuthorizationServer(as2, as2Origin) };
}

export function layoutWorld(knobs: WorldKnobs, rsOrigin: string, asOrigin: string, as2Origin?: string): WorldLayout {
  const mcpUrl = rsOrigin + knobs.rs.mcpPath;
  const authorizationServer = knobs.legacy
    ? legacyAuthorizationServers[knobs.legacy](knobs, rsOrigin)
    : separateAuthorizationServer(knobs.as, asOrigin);
  const second = secondAuthorizationServer(knobs, as2Origin);
  const trusted = knobs.prm.authorizationServer ?? 'first';
  if (trusted === 'second' && !second) throw new Error('prm.authorizationServer is "second" but the world has no second authorization server (as2)');
  const { resourceMetadataPath } = knobs.rs;
  const prmResource = knobs.prm.location === 'root' && !knobs.prm.advertise ? rsOrigin : mcpUrl;
  return {
    rsOrigin,
    asOrigin: knobs.legacy ? rsOrigin : asOrigin,
    mcpUrl,
    canonicalResource: mcpUrl,
    prmResource,
    resources: [...new Set([mcpUrl, prmResource])],
    prmUrl: knobs.legacy ? undefined : prmUrl(rsOrigin, knobs.rs.mcpPath, knobs.prm.location),
    ...(resourceMetadataPath !== undefined ? { resourceMetadataUrl: rsOrigin + resourceMetadataPath } : {}),
    ...authorizationServer,
    ...(second ? { second } : {}),
    trusted,
  };
}

function addEndpointRoles(exact: Map<string, EndpointRole>, endpoints: AsEndpoints): void {
  exact.set(endpoints.authorize, 'authorize');
  exact.set(endpoints.token, 'token');
  if (endpoints.register) exact.set(endpoints.register, 'register');
  exact.set(endpoints.jwks, 'jwks');
}

/** The trace role of a URL the world received. */
export function roleClassifier(layout: WorldLayout): (url: URL) => EndpointRole {
  const exact = new Map<string, EndpointRole>();
  addEndpointRoles(exact, layout.endpoints);
  if (layout.second) addEndpointRoles(exact, layout.second.endpoints);
  exact.set(layout.mcpUrl, 'mcp');
  if (layout.prmUrl) exact.set(layout.prmUrl, 'prm');
  if (layout.resourceMetadataUrl) exact.set(layout.resourceMetadataUrl, 'prm');
  return (url) => {
    if (isPrmPath(url.pathname)) return 'prm';
    if (isMetadataPath(url.pathname)) return 'as-metadata';
    return exact.get(url.origin + url.pathname) ?? 'unknown';
  };
}

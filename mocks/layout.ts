// Where everything of a world lives, computed from the knobs and the two origins before any
// handler exists, so the handlers, the facts and the trace roles all agree on one set of URLs.
import type { EndpointRole } from '../core/trace.js';
import type { AsEndpoints } from './authorization-server/context.js';
import type { MetadataPublication } from './authorization-server/index.js';
import { flavourOf, isMetadataPath, metadataProbeOrder, metadataUrl } from './authorization-server/metadata.js';
import type { LegacyMode, WorldKnobs } from './knobs.js';
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
  prmUrl?: string;
}

function endpointsUnder(base: string, registration: boolean): AsEndpoints {
  return {
    authorize: base + '/authorize',
    token: base + '/token',
    ...(registration ? { register: base + '/register' } : {}),
    jwks: base + '/jwks',
  };
}

function separateAuthorizationServer(knobs: WorldKnobs, asOrigin: string): AuthorizationServerLayout {
  const { issuerPath } = knobs.as;
  const issuer = asOrigin + issuerPath;
  const probeOrder = metadataProbeOrder(asOrigin, issuerPath);
  const served = new Map<string, MetadataPublication>();
  for (const form of knobs.as.metadata) {
    const url = metadataUrl(asOrigin, issuerPath, form);
    // Without an issuer path, the inserted and appended OIDC forms are the same URL.
    if (!served.has(url)) served.set(url, { url, flavour: flavourOf(form) });
  }
  const rank = (url: string) => probeOrder.indexOf(url);
  const metadata = [...served.values()].sort((a, b) => rank(a.url) - rank(b.url));
  return { issuer, endpoints: endpointsUnder(issuer, knobs.as.registration), metadata, metadataProbeOrder: probeOrder };
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

export function layoutWorld(knobs: WorldKnobs, rsOrigin: string, asOrigin: string): WorldLayout {
  const mcpUrl = rsOrigin + knobs.rs.mcpPath;
  const authorizationServer = knobs.legacy
    ? legacyAuthorizationServers[knobs.legacy](knobs, rsOrigin)
    : separateAuthorizationServer(knobs, asOrigin);
  return {
    rsOrigin,
    asOrigin: knobs.legacy ? rsOrigin : asOrigin,
    mcpUrl,
    canonicalResource: mcpUrl,
    prmUrl: knobs.legacy ? undefined : prmUrl(rsOrigin, knobs.rs.mcpPath, knobs.prm.location),
    ...authorizationServer,
  };
}

/** The trace role of a URL the world received. */
export function roleClassifier(layout: WorldLayout): (url: URL) => EndpointRole {
  const exact = new Map<string, EndpointRole>();
  const { endpoints } = layout;
  exact.set(endpoints.authorize, 'authorize');
  exact.set(endpoints.token, 'token');
  if (endpoints.register) exact.set(endpoints.register, 'register');
  exact.set(endpoints.jwks, 'jwks');
  exact.set(layout.mcpUrl, 'mcp');
  if (layout.prmUrl) exact.set(layout.prmUrl, 'prm');
  return (url) => {
    if (isPrmPath(url.pathname)) return 'prm';
    if (isMetadataPath(url.pathname)) return 'as-metadata';
    return exact.get(url.origin + url.pathname) ?? 'unknown';
  };
}

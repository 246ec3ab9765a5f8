// Authorization server discovery documents (RFC 8414 and OpenID Connect Discovery) and where
// each form lives for a given issuer.
import { http, HttpResponse } from 'msw';
import type { AsMetadataForm } from '../knobs.js';
import type { AuthorizationServer } from './context.js';

const OAUTH_WELL_KNOWN = '/.well-known/oauth-authorization-server';
const OIDC_WELL_KNOWN = '/.well-known/openid-configuration';

/** Where a metadata form lives for an issuer `origin + issuerPath` (RFC 8414 §3.1, OIDC Discovery §4). */
export function metadataUrl(origin: string, issuerPath: string, form: AsMetadataForm): string {
  switch (form) {
    case 'oauth':
      return origin + OAUTH_WELL_KNOWN + issuerPath;
    case 'oidc-inserted':
      return origin + OIDC_WELL_KNOWN + issuerPath;
    case 'oidc-appended':
      return origin + issuerPath + OIDC_WELL_KNOWN;
  }
}

/** The URLs a correct client tries, in order, for an issuer (MCP C-ASM-03/04). */
export function metadataProbeOrder(origin: string, issuerPath: string): string[] {
  const forms: AsMetadataForm[] = issuerPath ? ['oauth', 'oidc-inserted', 'oidc-appended'] : ['oauth', 'oidc-inserted'];
  return forms.map((form) => metadataUrl(origin, issuerPath, form));
}

export function isMetadataPath(pathname: string): boolean {
  return pathname.startsWith(OAUTH_WELL_KNOWN) || pathname.includes(OIDC_WELL_KNOWN);
}

export type MetadataFlavour = 'oauth' | 'oidc';

export function flavourOf(form: AsMetadataForm): MetadataFlavour {
  return form === 'oauth' ? 'oauth' : 'oidc';
}

/** The identifier the document claims; 'other' is the mix-up trap of C-ASM-05. */
function advertisedIssuer(as: AuthorizationServer): string {
  if (as.knobs.issuerInMetadata === 'correct') return as.issuer;
  return 'https://honest-as.example' + as.knobs.issuerPath;
}

export function metadataDocument(as: AuthorizationServer, flavour: MetadataFlavour): Record<string, unknown> {
  const { knobs, endpoints } = as;
  const document: Record<string, unknown> = {
    issuer: advertisedIssuer(as),
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    ...(endpoints.register ? { registration_endpoint: endpoints.register } : {}),
    jwks_uri: endpoints.jwks,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    ...(knobs.pkceMethods ? { code_challenge_methods_supported: knobs.pkceMethods } : {}),
    token_endpoint_auth_methods_supported: knobs.tokenAuthMethods,
    ...(knobs.scopesSupported ? { scopes_supported: knobs.scopesSupported } : {}),
    authorization_response_iss_parameter_supported: knobs.issSupported,
    ...(knobs.cimd ? { client_id_metadata_document_supported: true } : {}),
  };
  if (flavour === 'oidc') {
    document.subject_types_supported = ['public'];
    // OpenID Connect Discovery §3: "The algorithm RS256 MUST be included" (no ID token is ever signed here).
    document.id_token_signing_alg_values_supported = ['RS256', 'ES256'];
  }
  return document;
}

/** `cacheControl` is the knob's Cache-Control (RFC 9728 §7.10 defers to HTTP caching); absent sends none. */
export function authorizationServerMetadata(url: string, document: Record<string, unknown>, cacheControl?: string) {
  const init = cacheControl !== undefined ? { headers: { 'Cache-Control': cacheControl } } : undefined;
  return http.get(url, () => HttpResponse.json(document, init));
}

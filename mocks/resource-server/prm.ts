// Protected resource metadata (RFC 9728).
import { http, HttpResponse } from 'msw';
import type { PrmKnobs } from '../knobs.js';

const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';
export const CUSTOM_PRM_PATH = '/custom/metadata/location.json';
/** A resource on another origin than the server's (the PRM-C-04 trap; the official suite's value). */
export const FOREIGN_RESOURCE = 'https://evil.example.com/mcp';

/** Where the document lives for a location knob; undefined for 'none'. */
export function prmUrl(rsOrigin: string, mcpPath: string, location: PrmKnobs['location']): string | undefined {
  switch (location) {
    case 'path':
      return rsOrigin + PRM_WELL_KNOWN + mcpPath;
    case 'root':
      return rsOrigin + PRM_WELL_KNOWN;
    case 'custom':
      return rsOrigin + CUSTOM_PRM_PATH;
    case 'none':
      return undefined;
  }
}

/** Any well-known PRM path, served or not: a client probing the wrong one is still doing PRM discovery. */
export function isPrmPath(pathname: string): boolean {
  return pathname.startsWith(PRM_WELL_KNOWN);
}

/** `resource` is the identifier the document's location implies (WorldLayout.prmResource). */
export function prmDocument(knobs: PrmKnobs, resource: string, authorizationServers: string[]): Record<string, unknown> {
  return {
    resource: knobs.resource === 'correct' ? resource : FOREIGN_RESOURCE,
    authorization_servers: authorizationServers,
    ...(knobs.scopesSupported ? { scopes_supported: knobs.scopesSupported } : {}),
    bearer_methods_supported: ['header'],
  };
}

/**
 * `document` is built per request: what it names can change under a running client (a migration).
 * `cacheControl` is the knob's Cache-Control (RFC 9728 §7.10); absent sends none.
 */
export function protectedResourceMetadata(url: string, document: () => Record<string, unknown>, cacheControl?: string) {
  const init = cacheControl !== undefined ? { headers: { 'Cache-Control': cacheControl } } : undefined;
  return http.get(url, () => HttpResponse.json(document(), init));
}

/** An outage: the document's URL answers `status` with Retry-After, and nothing else. */
export function protectedResourceMetadataUnavailable(url: string, status: number) {
  return http.get(url, () => new HttpResponse(null, { status, headers: { 'Retry-After': '1' } }));
}

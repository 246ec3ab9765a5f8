// What the plain targets need from the harness and from a user, and nothing that judges: the
// credentials the kit hands over for a pre-registered client, and a user agent that follows the
// authorization server's redirects to the client's redirect URI without a person.

import { CONFORMANCE_CIMD_URL } from '../../mocks/knobs.js';

// The official suite's example client announces this CIMD URL, so the kit's CIMD scenarios expect it.
export const CLIENT_METADATA_URL = CONFORMANCE_CIMD_URL;
// A login page may bounce the user agent around before it lands on the redirect URI.
const MAX_HOPS = 10;

/** Credentials from MCP_CONFORMANCE_CONTEXT, in the shape both packages take as client information. */
export function configuredClient(): { client_id: string; client_secret?: string } | undefined {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return undefined;
  const context = JSON.parse(raw) as { name?: unknown; client_id?: unknown; client_secret?: unknown };
  // Named after the scenario, as the official runner does and its clients check.
  if (context.name !== process.env.MCP_CONFORMANCE_SCENARIO || typeof context.client_id !== 'string') return undefined;
  return typeof context.client_secret === 'string'
    ? { client_id: context.client_id, client_secret: context.client_secret }
    : { client_id: context.client_id };
}

/**
 * Plays the user agent: GETs the authorization URL without letting fetch follow redirects, carries
 * cookies from hop to hop, and stops at the first Location on `redirectUrl`, which is returned
 * unvisited. Only the hop mechanics live here; what the landing URL says is not examined.
 */
export async function walkToRedirect(start: URL, redirectUrl: string): Promise<URL> {
  const jar = new Map<string, string>();
  let at = start;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(at, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    await response.body?.cancel();
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = response.headers.get('location');
    if (!location) throw new Error(`${at.origin}${at.pathname} answered ${response.status} without a Location`);
    at = new URL(location, at);
    if (`${at.origin}${at.pathname}` === redirectUrl) return at;
  }
  throw new Error(`no redirect to ${redirectUrl} within ${MAX_HOPS} hops`);
}

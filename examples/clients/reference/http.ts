// Small HTTP helpers: reading challenges, Cache-Control and Retry-After, and GETting JSON.
import { METADATA_DEFAULT_TTL_MS, METADATA_MAX_TTL_MS, REQUEST_TIMEOUT_MS } from './config.js';

export interface BearerChallenge {
  error?: string;
  scope?: string;
  resourceMetadata?: string;
}

/**
 * The parameters of the Bearer challenge in a WWW-Authenticate header (RFC 6750 §3), or undefined
 * when there is none. Parameters are read by name, so their order and any error_description do
 * not matter (a loop guard that compares header strings is defeated by both).
 */
export function bearerChallenge(header: string | null): BearerChallenge | undefined {
  const parameters = header?.match(/(?:^|,)\s*Bearer\b(.*)$/i)?.[1];
  if (parameters === undefined) return undefined;
  const found: Record<string, string> = {};
  for (const match of parameters.matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    found[match[1].toLowerCase()] ??= match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
  }
  return { error: found.error, scope: found.scope, resourceMetadata: found.resource_metadata };
}

/**
 * Until when a discovery document may be reused (RFC 9728 §7.10, RFC 9111; DC-C-02): max-age,
 * capped; no-cache or max-age=0 means re-fetch on every use; no header means a bounded default.
 * undefined for no-store: the document must not be kept at all.
 */
export function reuseUntil(cacheControl: string | null, now: number): number | undefined {
  const directives = (cacheControl ?? '').toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store')) return undefined;
  if (directives.includes('no-cache')) return now;
  const maxAge = directives.map((d) => /^max-age=(\d+)$/.exec(d)?.[1]).find((v) => v !== undefined);
  if (maxAge !== undefined) return now + Math.min(Number(maxAge) * 1000, METADATA_MAX_TTL_MS);
  return now + METADATA_DEFAULT_TTL_MS;
}

/** Retry-After in ms (delta-seconds or an HTTP date), if the response names one. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding. */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/** A server error, a timeout or no connection: nothing was learnt, so nothing may be concluded. */
export class Unavailable extends Error {}

export interface JsonResponse {
  status: number;
  body: unknown;
  cacheControl: string | null;
}

/** GET a JSON document. 2xx and 4xx are answers; 5xx and network failures throw Unavailable. */
export async function getJson(url: string): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new Unavailable(`GET ${url} failed: ${(error as Error).message}`);
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new Unavailable(`GET ${url} answered ${response.status}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { status: response.status, body: undefined, cacheControl: response.headers.get('cache-control') };
  }
  return { status: response.status, body: await response.json(), cacheControl: response.headers.get('cache-control') };
}

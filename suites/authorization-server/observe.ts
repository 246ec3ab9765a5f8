// What the authorization-server suite's checks read off a trace: the kit's requests by label, the
// authorization responses the user agent reached, OAuth error answers read strictly, and the
// tokens the server issued.
import { decodeBase64, utf8 } from '../../core/bytes.js';
import { missing, type Evidence, type Finding, type Precondition } from '../../core/check.js';
import { ev, responseJson } from '../../core/trace-query.js';
import type { AuthorizationRecord, AuthorizationServerFacts, Exchange, Trace } from '../../core/trace.js';

export { ev };

export function factsOf(trace: Trace): AuthorizationServerFacts {
  if (!trace.authorizationServer) throw new Error('not an authorization-server-suite trace');
  return trace.authorizationServer;
}

export const metadataOf = (trace: Trace): Record<string, unknown> | undefined => factsOf(trace).metadata;

/** The kit's own requests (not the user agent's). */
export const kitRequests = (trace: Trace): Exchange[] => trace.exchanges.filter((e) => e.actor === 'kit');

export function labelled(trace: Trace, label: string): Exchange | undefined {
  return kitRequests(trace).find((e) => e.label === label);
}

/** Every request labelled `label` or `label:…`, in order (several racing requests share a prefix). */
export function labelledAll(trace: Trace, prefix: string): Exchange[] {
  return kitRequests(trace).filter((e) => e.label === prefix || e.label?.startsWith(`${prefix}:`) === true);
}

export function authorization(trace: Trace, label: string): AuthorizationRecord | undefined {
  return trace.authorizations?.find((a) => a.label === label);
}

/** Evidence for an authorization: the exchange that sent the user agent to the redirect URI, or the page it stopped at. */
export function authorizationEvidence(record: AuthorizationRecord, part?: string, note?: string): Evidence[] {
  return record.exchange !== undefined ? [{ exchange: record.exchange, ...(part ? { part } : {}), ...(note ? { note } : {}) }] : [];
}

export function describeAuthorization(record: AuthorizationRecord): string {
  if (record.outcome === 'stopped') return `it did not come back to the redirect URI (${record.reason})`;
  const params = record.params ?? {};
  if (params.code) return `it redirected to ${record.url?.split(/[?#]/)[0]} with a code`;
  if (params.error) return `it redirected to ${record.url?.split(/[?#]/)[0]} with error=${params.error}${params.error_description ? ` (${params.error_description})` : ''}`;
  return `it redirected to ${record.url?.split(/[?#]/)[0]} with neither a code nor an error`;
}

/** Where the user agent was sent is the presented redirect URI (its origin and path). */
export function redirectedTo(record: AuthorizationRecord, redirectUri: string): boolean {
  if (record.outcome !== 'redirected' || !record.url) return false;
  const sameEndpoint = (a: string, b: string): boolean => {
    try {
      const x = new URL(a);
      const y = new URL(b);
      return x.origin === y.origin && x.pathname === y.pathname;
    } catch {
      return false;
    }
  };
  return sameEndpoint(record.url, redirectUri);
}

/** An OAuth error answer as RFC 6749 §5.2 shapes it, read without forgiveness. */
export interface OAuthErrorReading {
  status: number;
  /** The media type without parameters. */
  mediaType: string;
  json?: Record<string, unknown>;
  error?: string;
}

export function oauthError(e: Exchange): OAuthErrorReading | undefined {
  if (!e.response) return undefined;
  const json = responseJson(e);
  const mediaType = (e.response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return { status: e.response.status, mediaType, ...(json ? { json } : {}), ...(typeof json?.error === 'string' ? { error: json.error } : {}) };
}

/**
 * What is wrong with a refusal as RFC 6749 §5.2 (and RFC 7591 §3.2.2) shape it: 400, a JSON object,
 * an `error` code (one of `known` where given), and one of `expected` where the refusal has a code
 * of its own. Undefined when nothing is.
 */
export function oauthErrorDefect(e: Exchange, known?: ReadonlySet<string>, expected?: readonly string[]): string | undefined {
  const reading = oauthError(e);
  if (!reading) return undefined;
  if (reading.status !== 400) return `answered ${reading.status}, not 400`;
  if (reading.mediaType !== 'application/json' || !reading.json) return `answered 400 with ${reading.mediaType || 'no Content-Type'}, not a JSON object`;
  if (reading.error === undefined) return 'answered 400 JSON without an `error` code';
  if (known && !known.has(reading.error)) return `answered 400 JSON with error ${JSON.stringify(reading.error)}, not an OAuth error code`;
  if (expected && !expected.includes(reading.error)) return `refused with ${reading.error}, not ${expected.join(' or ')}`;
  return undefined;
}

/** "400 invalid_grant", "500 text/html": what a refusal came as, in a few words. */
export function describeAnswer(e: Exchange): string {
  if (!e.response) return `no answer (${e.error ?? 'connection failed'})`;
  const reading = oauthError(e)!;
  if (reading.error) return `${reading.status} ${reading.error}${typeof reading.json?.error_description === 'string' ? ` ("${reading.json.error_description}")` : ''}`;
  return `${reading.status} ${reading.mediaType || 'without a Content-Type'}`;
}

/** The request got no answer: what it would have shown is unknown, and authorization-server-available judges that. */
export function noAnswer(e: Exchange): Finding {
  return missing(`#${e.id} (${e.label}) got no answer (${e.error ?? 'connection failed'}); authorization-server-available judges that`);
}

export const isSuccess = (e: Exchange | undefined): boolean => !!e?.response && e.response.status >= 200 && e.response.status < 300;

/** A token endpoint success: 2xx with an access token. */
export function issuedTokens(e: Exchange | undefined): { accessToken?: string; refreshToken?: string; json?: Record<string, unknown> } {
  if (!e || !isSuccess(e)) return {};
  const json = responseJson(e);
  return {
    ...(json ? { json } : {}),
    ...(typeof json?.access_token === 'string' ? { accessToken: json.access_token } : {}),
    ...(typeof json?.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
  };
}

/**
 * The kit had no client to act as: no registration endpoint and no --client-id. Checks that need one
 * are not applicable; the runner skips whole scenarios for it, so this only covers partial traces.
 */
export const CLIENT: Precondition = { id: 'client', behaviour: 'a client the kit can act as (registered, or given with --client-id)', optional: true };

/** The metadata lists `value` in `field` (an array of strings). */
export function lists(metadata: Record<string, unknown> | undefined, field: string, value: string): boolean {
  const list = metadata?.[field];
  return Array.isArray(list) && list.includes(value);
}

/** A JWT's payload, when the token is one (three base64url parts, a JSON object in the middle). */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const value = JSON.parse(utf8(decodeBase64(parts[1]))) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

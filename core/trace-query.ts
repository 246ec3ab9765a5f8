// Pure look-ups over a trace, shared by every check. Nothing here does I/O.
import { decodeBase64, utf8 } from './bytes.js';
import type { Actor, EndpointRole, Exchange, Trace } from './trace.js';

export function byRole(trace: Trace, role: EndpointRole): Exchange[] {
  return trace.exchanges.filter((e) => e.role === role);
}

/** Exchanges made by client processes (not by the kit acting as the browser). */
export function fromClients(trace: Trace): Exchange[] {
  return trace.exchanges.filter((e) => e.actor !== 'browser');
}

export function byActor(trace: Trace, actor: Actor): Exchange[] {
  return trace.exchanges.filter((e) => e.actor === actor);
}

export function query(e: Exchange): URLSearchParams {
  return new URL(e.request.url).searchParams;
}

export function path(e: Exchange): string {
  return new URL(e.request.url).pathname;
}

/** The body of an application/x-www-form-urlencoded request, parsed; empty for anything else. */
export function form(e: Exchange): URLSearchParams {
  const type = e.request.headers['content-type'] ?? '';
  if (!type.includes('application/x-www-form-urlencoded')) return new URLSearchParams();
  return new URLSearchParams(e.request.body ?? '');
}

export function requestJson(e: Exchange): Record<string, unknown> | undefined {
  return parseObject(e.request.body);
}

export function responseJson(e: Exchange): Record<string, unknown> | undefined {
  return parseObject(e.response?.body);
}

function parseObject(body: string | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function succeeded(e: Exchange): boolean {
  return !!e.response && e.response.status >= 200 && e.response.status < 300;
}

/** The token from an `Authorization: Bearer` header, if the request has one. */
export function bearerToken(e: Exchange): string | undefined {
  const header = e.request.headers['authorization'];
  const match = header?.match(/^bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

/** Client credentials in an `Authorization: Basic` header, decoded per RFC 6749 §2.3.1 (form-urlencoded parts). */
export function basicCredentials(e: Exchange): { id: string; secret: string } | undefined {
  const header = e.request.headers['authorization'];
  const match = header?.match(/^basic\s+(.+)$/i);
  if (!match) return undefined;
  const decoded = utf8(decodeBase64(match[1].trim()));
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
}

/** Token requests of the authorization-code grant (not refresh). */
export function codeRedemptions(trace: Trace): Exchange[] {
  return byRole(trace, 'token').filter((e) => form(e).get('grant_type') === 'authorization_code');
}

export function refreshRequests(trace: Trace): Exchange[] {
  return byRole(trace, 'token').filter((e) => form(e).get('grant_type') === 'refresh_token');
}

/** Authorization requests the client made itself or handed to the browser (the kit's browser hop counts). */
export function authorizationRequests(trace: Trace): Exchange[] {
  return byRole(trace, 'authorize');
}

/** Access tokens the world issued, with the exchange that issued each. */
export function issuedAccessTokens(trace: Trace): Map<string, Exchange> {
  const tokens = new Map<string, Exchange>();
  for (const e of byRole(trace, 'token')) {
    const token = succeeded(e) ? responseJson(e)?.access_token : undefined;
    if (typeof token === 'string') tokens.set(token, e);
  }
  return tokens;
}

/** MCP requests that carried a token the world accepted (2xx). */
export function authorizedMcpCalls(trace: Trace): Exchange[] {
  return byRole(trace, 'mcp').filter((e) => bearerToken(e) !== undefined && succeeded(e));
}

/** JSON-RPC method names in an MCP request body (a batch yields several). */
export function mcpMethods(e: Exchange): string[] {
  const body = e.request.body;
  if (!body) return [];
  try {
    const value: unknown = JSON.parse(body);
    const messages = Array.isArray(value) ? value : [value];
    return messages.flatMap((m) => (m && typeof m === 'object' && typeof (m as { method?: unknown }).method === 'string' ? [(m as { method: string }).method] : []));
  } catch {
    return [];
  }
}

/** The authorization-server response to an /authorize request: where it redirected and with what. */
export function redirectParams(e: Exchange): URLSearchParams | undefined {
  const location = e.response?.headers['location'];
  if (!location) return undefined;
  try {
    return new URL(location).searchParams;
  } catch {
    return undefined;
  }
}

/** Codes the authorization endpoint handed out, mapped to the /authorize exchange that issued each. */
export function issuedCodes(trace: Trace): Map<string, Exchange> {
  const codes = new Map<string, Exchange>();
  for (const e of authorizationRequests(trace)) {
    const code = redirectParams(e)?.get('code');
    if (code) codes.set(code, e);
  }
  return codes;
}

export function first<T>(items: T[]): T | undefined {
  return items[0];
}

export const ev = (e: Exchange, part?: string, note?: string) => ({ exchange: e.id, ...(part ? { part } : {}), ...(note ? { note } : {}) });

// Observations about a client's flow that several checks share. Pure functions of the trace.
import type { Exchange, Trace } from '../../core/trace.js';
import type { WorldKnobs } from '../../mocks/knobs.js';
import { authorizationRequests, byRole, codeRedemptions, fromClients, issuedCodes, query, succeeded } from '../../core/trace-query.js';

export const knobsOf = (trace: Trace): WorldKnobs => trace.world.knobs as WorldKnobs;

/** A URL without its query and fragment, for comparing discovery locations. */
export function bare(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/**
 * The distinct URLs a client requested for one endpoint role, in order of first request, with the
 * first exchange for each. Re-fetching a URL already tried is not a new probe.
 */
export function probes(trace: Trace, role: 'prm' | 'as-metadata'): Array<{ url: string; exchange: Exchange }> {
  const seen = new Map<string, Exchange>();
  for (const e of fromClients(trace)) {
    if (e.role !== role) continue;
    const url = bare(e.request.url);
    if (!seen.has(url)) seen.set(url, e);
  }
  return [...seen].map(([url, exchange]) => ({ url, exchange }));
}

/**
 * Judges a probe sequence against the order a correct client follows: the distinct URLs must be a
 * prefix of `expected`, the client stops at the first one that answered, and it does not give up
 * while locations remain. Returns the offending probe and why, or undefined when the order holds.
 */
export function probeOrderViolation(
  tried: Array<{ url: string; exchange: Exchange }>,
  expected: string[],
): { exchange: Exchange; why: string } | undefined {
  let answered: string | undefined;
  for (const [index, probe] of tried.entries()) {
    if (answered) return { exchange: probe.exchange, why: `requested ${probe.url} after ${answered} had already answered` };
    if (expected[index] !== probe.url) {
      const position = expected.indexOf(probe.url);
      const why =
        position < 0
          ? `requested ${probe.url}, which is not one of the locations to try (${expected.join(', ')})`
          : `requested ${probe.url} (choice ${position + 1}) before ${expected[index]} (choice ${index + 1})`;
      return { exchange: probe.exchange, why };
    }
    if (succeeded(probe.exchange)) answered = probe.url;
  }
  const untried = expected.slice(tried.length);
  if (!answered && untried.length && tried.length)
    return { exchange: tried[tried.length - 1].exchange, why: `gave up after ${tried[tried.length - 1].url} answered ${tried[tried.length - 1].exchange.response?.status ?? 'nothing'}, without trying ${untried.join(', ')}` };
  return undefined;
}

/** The path-inserted and root PRM well-known URLs for the world's MCP URL (RFC 9728 §3.1). */
export function prmWellKnown(trace: Trace): { pathInserted: string; root: string } {
  const mcp = new URL(trace.world.mcpUrl);
  const path = mcp.pathname === '/' ? '' : mcp.pathname.replace(/\/$/, '');
  return {
    pathInserted: `${mcp.origin}/.well-known/oauth-protected-resource${path}`,
    root: `${mcp.origin}/.well-known/oauth-protected-resource`,
  };
}

/** Requests by which a client acts on discovered metadata: registering, authorizing, redeeming. */
export function usesOfAuthorizationServer(trace: Trace): Exchange[] {
  return trace.exchanges.filter((e) => e.role === 'register' || e.role === 'authorize' || e.role === 'token');
}

/** The first authorization request (made by the client or by the kit's browser on its behalf). */
export function firstAuthorization(trace: Trace): Exchange | undefined {
  return authorizationRequests(trace)[0];
}

/** The authorization request that issued the code a redemption presents. */
export function authorizationFor(trace: Trace, redemption: Exchange): Exchange | undefined {
  const code = new URLSearchParams(redemption.request.body ?? '').get('code');
  return code ? issuedCodes(trace).get(code) : undefined;
}

/** Code redemptions whose code the world issued (redemptions of made-up codes are judged elsewhere). */
export function redemptionsWithAuthorization(trace: Trace): Array<{ redemption: Exchange; authorization: Exchange }> {
  return codeRedemptions(trace).flatMap((redemption) => {
    const authorization = authorizationFor(trace, redemption);
    return authorization ? [{ redemption, authorization }] : [];
  });
}

/** MCP requests that came after the first access token was issued: the ones that must carry it. */
export function mcpRequestsAfterFirstToken(trace: Trace): Exchange[] {
  const firstToken = byRole(trace, 'token').find(succeeded);
  if (!firstToken) return [];
  return fromClients(trace).filter((e) => e.role === 'mcp' && e.id > firstToken.id);
}

export function scopeSet(value: string | null | undefined): Set<string> {
  return new Set((value ?? '').split(' ').filter(Boolean));
}

export function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

export const show = (set: Set<string>): string => (set.size ? `"${[...set].join(' ')}"` : '(none)');

export function queryParam(e: Exchange, name: string): string | null {
  return query(e).get(name);
}

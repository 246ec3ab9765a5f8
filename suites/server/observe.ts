// What the server suite's checks read off a trace: the kit's requests by label, whether the server
// served them, and the challenges it answered with, read strictly.
import { missing, type Evidence, type Finding } from '../../core/check.js';
import { jsonRpcReply } from '../../core/targets/server/json-rpc.js';
import type { Exchange, ServerFacts, Trace } from '../../core/trace.js';
import { ev } from '../../core/trace-query.js';
import { bearerChallenges, paramValue, parseWwwAuthenticate, type Challenge } from '../../core/www-authenticate.js';

export { ev };

/** The facts of a server trace; a check given a client trace is a kit bug and says so. */
export function factsOf(trace: Trace): ServerFacts {
  if (!trace.server) throw new Error('not a server-suite trace');
  return trace.server;
}

export const kitRequests = (trace: Trace): Exchange[] => trace.exchanges.filter((e) => e.actor === 'kit');

export function labelled(trace: Trace, label: string): Exchange | undefined {
  return kitRequests(trace).find((e) => e.label === label);
}

export function labelledAll(trace: Trace, prefix: string): Exchange[] {
  return kitRequests(trace).filter((e) => e.label === prefix || e.label?.startsWith(`${prefix}:`) === true);
}

/**
 * The first of these requests that got no answer: what it would have shown is unknown, and
 * server-available carries the verdict on the server that did not answer.
 */
export function unanswered(...exchanges: Array<Exchange | undefined>): Exchange | undefined {
  return exchanges.find((e) => e !== undefined && e.response === undefined);
}

export function noAnswer(e: Exchange): Finding {
  return missing(`#${e.id} (${e.label}) got no answer (${e.error ?? 'connection failed'}); server-available judges that`);
}

export const statusOf = (e: Exchange | undefined): number | undefined => e?.response?.status;

/** The server did what was asked: a 2xx whose body is not a JSON-RPC error. */
export function served(e: Exchange | undefined): boolean {
  const status = e?.response?.status ?? 0;
  return status >= 200 && status < 300 && jsonRpcReply(e?.response)?.error === undefined;
}

export function describeAnswer(e: Exchange): string {
  if (!e.response) return `no answer (${e.error ?? 'connection failed'})`;
  const error = jsonRpcReply(e.response)?.error;
  return `${e.response.status}${error ? ` with JSON-RPC error ${error.code ?? ''} ${error.message ?? ''}`.trimEnd() : ''}`;
}

export interface ChallengeReading {
  header?: string;
  /** Why the header does not parse (RFC 9110 §11.6.1). */
  fault?: string;
  bearer?: Challenge;
}

/** The WWW-Authenticate of a response, read by the RFC 9110 grammar. */
export function challengeOf(e: Exchange | undefined): ChallengeReading {
  const header = e?.response?.headers['www-authenticate'];
  if (header === undefined) return {};
  const parsed = parseWwwAuthenticate(header);
  if ('fault' in parsed) return { header, fault: parsed.fault };
  return { header, ...(bearerChallenges(parsed)[0] ? { bearer: bearerChallenges(parsed)[0] } : {}) };
}

export function bearerParam(e: Exchange | undefined, name: string): string | undefined {
  const { bearer } = challengeOf(e);
  return bearer ? paramValue(bearer, name) : undefined;
}

export const challengeEvidence = (e: Exchange, note?: string): Evidence => ev(e, 'response.header.www-authenticate', note);

/** The bearer tokens the kit sent the server: in Authorization headers and in access_token query parameters. */
export function sentTokens(trace: Trace): Set<string> {
  const tokens = new Set<string>();
  for (const e of kitRequests(trace)) {
    for (const match of (e.request.headers.authorization ?? '').matchAll(/bearer\s+([^\s,]+)/gi)) tokens.add(match[1]);
    const query = new URL(e.request.url).searchParams.get('access_token');
    if (query) tokens.add(query);
  }
  return tokens;
}

/** The PRM document of a response, when it is a JSON object. */
export function prmDocument(e: Exchange | undefined): Record<string, unknown> | undefined {
  if (e?.response?.status !== 200 || !e.response.body) return undefined;
  try {
    const value = JSON.parse(e.response.body) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// The strict client's HTTP layer. Every request the client makes goes through `send`, and every
// answer is read through one of the validators below, each of which names the clause it enforces.
// A server that breaks a MUST is refused, never worked around: the client stops with one line that
// names the clause, which is what makes it useful as an auditor of the servers it talks to.

/** The world broke a rule the client enforces: the run stops, and the line names the rule. */
export class Refusal extends Error {
  constructor(clause: string, reason: string) {
    super(`refused (${clause}): ${reason}`);
  }
}

export function refuse(clause: string, reason: string): never {
  throw new Refusal(clause, reason);
}

/** The run cannot succeed, though nobody broke a rule: an outage, a limit reached, an error answer. */
export class Failure extends Error {}

/** No answer worth judging: a network error, a timeout, a 5xx or a 429. Nothing may be concluded from it. */
export class Unavailable extends Failure {}

/** Loopback hosts (OAuth 2.1 §8.4.2 treats all three as the loopback class). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** Every request is bounded; the whole run has its own deadline on top. */
const REQUEST_TIMEOUT_MS = 8_000;

export interface Received {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

/**
 * An endpoint URL a server handed us, checked before anything is sent to it: absolute, without a
 * fragment (RFC 3986 §4.3 for the identifiers RFC 8414 §2 and RFC 9728 §2 carry), and https
 * (OAuth 2.1 §1.5 requires TLS for every endpoint). Plain http is accepted for loopback hosts
 * only: the conformance world is served there, and nothing else is ever contacted.
 */
export function endpointUrl(value: unknown, what: string, clause: string): string {
  if (typeof value !== 'string' || value === '') refuse(clause, `${what} is ${JSON.stringify(value)}, not a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse(clause, `${what} ${JSON.stringify(value)} is not an absolute URL`);
  }
  if (value.includes('#')) refuse(clause, `${what} ${value} has a fragment`);
  const loopbackHttp = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) refuse('OAuth 2.1 §1.5', `${what} ${value} is neither https nor loopback http`);
  return value;
}

/**
 * One request. Redirects are never followed: none of the endpoints this client uses is specified to
 * redirect (RFC 8414 §3.2, RFC 9728 §3.2, RFC 6749 §3.2, RFC 7591 §3), so a 3xx is judged like any
 * other status by the caller. A failure to get any answer is Unavailable.
 */
export async function send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<Received> {
  endpointUrl(url, 'request URL', 'OAuth 2.1 §1.5');
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    throw new Unavailable(`${method} ${url} got no answer: ${(error as Error).message}`);
  }
  return { method, url, status: response.status, headers: response.headers, text };
}

/** 5xx and 429 say nothing about the request (RFC 9110 §15.6, RFC 6585 §4): the caller must not conclude anything. */
export function isTransient(received: Received): boolean {
  return received.status >= 500 || received.status === 429;
}

/** The media type of Content-Type, lower-cased, without parameters (RFC 9110 §8.3.1: type and subtype are case-insensitive). */
export function mediaType(received: Received): string | undefined {
  const value = received.headers.get('content-type');
  if (value === null) return undefined;
  return value.split(';', 1)[0].trim().toLowerCase();
}

/** The body as a JSON object, served as application/json, or a refusal citing `clause`. */
export function jsonObject(received: Received, clause: string, what: string): Record<string, unknown> {
  const type = mediaType(received);
  if (type !== 'application/json') refuse(clause, `${what} (${received.url}) is served as ${type ?? 'no Content-Type'}, not application/json`);
  let value: unknown;
  try {
    value = JSON.parse(received.text);
  } catch {
    refuse(clause, `${what} (${received.url}) is not valid JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) refuse(clause, `${what} (${received.url}) is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Cache-Control directives by lower-cased name (RFC 9111 §5.2: names are case-insensitive), value unquoted. */
export function cacheDirectives(received: Received): Map<string, string | undefined> {
  const directives = new Map<string, string | undefined>();
  for (const part of (received.headers.get('cache-control') ?? '').split(',')) {
    const [name, ...rest] = part.split('=');
    if (!name.trim()) continue;
    const value = rest.length ? rest.join('=').trim().replace(/^"(.*)"$/, '$1') : undefined;
    directives.set(name.trim().toLowerCase(), value);
  }
  return directives;
}

/** RFC 8414 §3.2, RFC 9728 §3.2: members with zero elements MUST be omitted from the document. */
export function noEmptyArrays(document: Record<string, unknown>, clause: string, what: string): void {
  const empty = Object.keys(document).filter((name) => Array.isArray(document[name]) && (document[name] as unknown[]).length === 0);
  if (empty.length) refuse(clause, `${what} has ${empty.join(', ')} with zero elements instead of omitting ${empty.length > 1 ? 'them' : 'it'}`);
}

/** A member that must be a string when present. */
export function optionalString(document: Record<string, unknown>, name: string, clause: string, what: string): string | undefined {
  const value = document[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') refuse(clause, `${what}: ${name} is ${JSON.stringify(value)}, not a string`);
  return value;
}

/** A member that must be a JSON array of strings when present. */
export function optionalStrings(document: Record<string, unknown>, name: string, clause: string, what: string): string[] | undefined {
  const value = document[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) refuse(clause, `${what}: ${name} is ${JSON.stringify(value)}, not an array of strings`);
  return value as string[];
}

/** A member that must be a JSON boolean when present. */
export function optionalBoolean(document: Record<string, unknown>, name: string, clause: string, what: string): boolean | undefined {
  const value = document[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') refuse(clause, `${what}: ${name} is ${JSON.stringify(value)}, not a boolean`);
  return value;
}

/** RFC 6749 §3.3 / Appendix A.4: scope = scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
export function isScope(value: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(value);
}

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", the syntax of a Bearer credential. */
export function isBearerToken(value: string): boolean {
  return /^[A-Za-z0-9\-._~+/]+=*$/.test(value);
}

/** RFC 6749 §5.2 and RFC 6750 §3: error and error_description use %x20-21 / %x23-5B / %x5D-7E only. */
export function isErrorText(value: string): boolean {
  return /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/.test(value);
}

export function log(step: string, detail = ''): void {
  process.stderr.write(`[strict-client] ${step}${detail ? `: ${detail}` : ''}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

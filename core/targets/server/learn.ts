// What the kit learns of a server before judging it, the way a client would: where its protected
// resource metadata is, which scopes it advertises and challenges for. A valid token then carries
// every one of them (and the scopes the user stated), so that a refusal of it is the server's doing.
// Nothing here is judged: the scenarios send these requests again into their own traces.
import type { Issuer } from '../../../mocks/issuer.js';
import { TraceRecorder } from '../../../mocks/recorder.js';
import type { ServerFacts } from '../../trace.js';
import { bearerChallenges, paramValue, parseWwwAuthenticate } from '../../www-authenticate.js';
import { Probe, type ProbeResult } from '../probe.js';
import { mcpRoles } from './json-rpc.js';

const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** RFC 9728 §3.1: the well-known suffix goes between the host and the path; a lone "/" path is dropped. */
export function prmUrls(mcpUrl: string): { pathInserted: string; root: string } {
  const url = new URL(mcpUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return { pathInserted: `${url.origin}${PRM_WELL_KNOWN}${path}${url.search}`, root: `${url.origin}${PRM_WELL_KNOWN}` };
}

function scopesOf(result: ProbeResult | undefined): string[] {
  if (result?.response?.status !== 200 || !result.response.body) return [];
  try {
    const document = JSON.parse(result.response.body) as { scopes_supported?: unknown };
    return Array.isArray(document.scopes_supported) ? document.scopes_supported.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

export interface LearnOptions {
  issuer: Issuer;
  mcpUrl: string;
  started: ServerFacts['started'];
  tokenFormat: ServerFacts['tokenFormat'];
  toolScopes: Record<string, string[]>;
  scopes: string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function learnServer(options: LearnOptions): Promise<ServerFacts> {
  const recorder = new TraceRecorder();
  options.issuer.recordInto(recorder);
  const probe = new Probe(recorder, { baseUrl: options.mcpUrl, roleOf: mcpRoles(options.mcpUrl), timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const urls = prmUrls(options.mcpUrl);
  const found = new Set<string>(options.scopes);
  for (const url of [urls.pathInserted, urls.root]) for (const scope of scopesOf(await probe.send('learn', { url }))) found.add(scope);
  const anonymous = await probe.send('learn', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-auth-conformance', version: '0' } } }),
  });
  const header = anonymous.response?.headers['www-authenticate'];
  const [bearer] = header ? bearerChallenges(parseWwwAuthenticate(header)) : [];
  const challenged = bearer ? paramValue(bearer, 'scope') : undefined;
  for (const scope of challenged?.split(' ').filter(Boolean) ?? []) found.add(scope);
  const resourceMetadata = bearer ? paramValue(bearer, 'resource_metadata') : undefined;
  if (resourceMetadata && resourceMetadata !== urls.pathInserted && resourceMetadata !== urls.root) {
    for (const scope of scopesOf(await probe.send('learn', { url: resourceMetadata }))) found.add(scope);
  }
  for (const scopes of Object.values(options.toolScopes)) for (const scope of scopes) found.add(scope);
  return {
    mcpUrl: options.mcpUrl,
    prmUrl: urls.pathInserted,
    rootPrmUrl: urls.root,
    started: options.started,
    tokenFormat: options.tokenFormat,
    issuer: options.issuer.issuer,
    jwksUri: options.issuer.jwksUri,
    introspectionEndpoint: options.issuer.introspectionEndpoint,
    scopes: [...found],
    toolScopes: options.toolScopes,
    upstreamUrl: options.issuer.upstreamUrl,
  };
}

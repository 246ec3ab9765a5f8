// 2025-03-26 servers: no protected resource metadata; the authorization server is the MCP server's origin.
import { met, missing, unmet, type CheckDef } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import { authorizationRequests, ev, fromClients, succeeded } from '../../../core/trace-query.js';
import { LINK } from '../links.js';
import { usesOfAuthorizationServer } from '../observe.js';

const DEFAULT_PATHS = new Set(['/authorize', '/token', '/register']);

const legacyMetadataUrl = (mcpUrl: string) => `${new URL(mcpUrl).origin}/.well-known/oauth-authorization-server`;

export const legacyMetadataUsed: CheckDef = {
  id: 'legacy-metadata-at-server-root',
  title: 'without PRM, fetches RFC 8414 metadata at the MCP server\'s origin and uses its endpoints',
  requirements: ['C-ASM-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.legacyMetadata],
  judge(trace) {
    const url = legacyMetadataUrl(trace.world.mcpUrl);
    const metadata = fromClients(trace).find((e) => e.request.url.split('?')[0] === url);
    // Endpoints guessed at the origin instead of read from the metadata (which names /oauth/...).
    const guessed = fromClients(trace).filter((e) => e.role === 'unknown' && DEFAULT_PATHS.has(new URL(e.request.url).pathname));
    if (!metadata && guessed.length) return unmet(`the client used the default endpoint ${guessed[0].request.url.split('?')[0]} without ever requesting ${url}`, [ev(guessed[0], 'url')]);
    if (!metadata) return missing(`the client never requested ${url}`);
    if (guessed.length) return unmet(`the client tried the default endpoint ${guessed[0].request.url.split('?')[0]} although the metadata names its endpoints`, [ev(guessed[0], 'url'), ev(metadata)]);
    const authorization = authorizationRequests(trace)[0];
    if (!authorization) return missing('the client never reached the authorization endpoint named in the metadata', [ev(metadata)]);
    return met(`metadata from ${url}, then ${authorization.request.url.split('?')[0]}`, [ev(metadata), ev(authorization)]);
  },
};

export const legacyDefaultEndpoints: CheckDef = {
  id: 'legacy-default-endpoints',
  title: 'without metadata, tries it first and then falls back to /authorize, /token and /register at the origin',
  requirements: ['C-ASM-01'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.legacyFallback],
  judge(trace) {
    const url = legacyMetadataUrl(trace.world.mcpUrl);
    const metadata = fromClients(trace).find((e) => e.request.url.split('?')[0] === url);
    const firstUse = usesOfAuthorizationServer(trace)[0];
    if (!firstUse) return missing('the client never reached the default endpoints');
    if (!metadata || metadata.id > firstUse.id) return unmet(`the client used ${firstUse.request.url.split('?')[0]} without trying ${url} first`, [ev(firstUse, 'url')]);
    const token = usesOfAuthorizationServer(trace).find((e) => e.role === 'token' && succeeded(e));
    if (!token) return missing('the client never redeemed a code at the default token endpoint', [ev(metadata), ev(firstUse)]);
    return met('tried metadata, then used the default endpoints', [ev(metadata), ev(firstUse), ev(token)]);
  },
};

// Where to authorize: protected resource metadata (RFC 9728), then the authorization server's
// metadata (RFC 8414, OpenID Connect Discovery 1.0), each validated before a single member is used.
// Validated documents are kept in the store for as long as their Cache-Control allows (RFC 9111),
// so other copies and later runs reuse them; when the cache is cold, one copy fetches under the
// store lock and the others find its result.
import { cacheDirectives, endpointUrl, Failure, isTransient, jsonObject, log, noEmptyArrays, optionalBoolean, optionalStrings, refuse, send, Unavailable, type Received } from './http.js';
import type { AsMetadata, Kept, Prm, ResourceEntry, Store, StoreData } from './store.js';
import { issuerEntry } from './store.js';

const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';
const OAUTH_WELL_KNOWN = '/.well-known/oauth-authorization-server';
const OIDC_WELL_KNOWN = '/.well-known/openid-configuration';
/** Reuse of a document served without any freshness information (RFC 9111 §4.2.2 lets a cache choose one). */
const HEURISTIC_FRESHNESS_MS = 60 * 60 * 1000;
const MAX_FRESHNESS_MS = 24 * 60 * 60 * 1000;

/** Everything needed to talk to the authorization server of the MCP server. */
export interface Binding {
  issuer: string;
  /** undefined: a 2025-03-26 server without PRM. */
  prmUrl?: string;
  scopesSupported?: string[];
  /** undefined: no metadata; the 2025-03-26 default endpoints are used. */
  metadata?: AsMetadata;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  registrationEndpoint?: string;
}

interface Fetched<T> extends Kept<T> {
  /** Cache-Control: no-store (RFC 9111 §5.2.2.5): used for this request, never kept. */
  noStore: boolean;
}

const seconds = (value: string | undefined): number | undefined => (value !== undefined && /^\d+$/.test(value) ? Math.min(Number(value) * 1000, MAX_FRESHNESS_MS) : undefined);

/**
 * RFC 9111 §5.2.2: no-store is never kept, no-cache is revalidated before any reuse, max-age bounds
 * reuse. A stale copy stands in for an unavailable server only where the server allowed it with
 * stale-if-error (RFC 5861 §4), and never against no-cache or must-revalidate (RFC 9111 §4.2.4).
 */
function fetched<T>(url: string, value: T, received: Received | undefined, fetchedAt: number): Fetched<T> {
  const directives = received ? cacheDirectives(received) : new Map<string, string | undefined>();
  const revalidateAlways = directives.has('no-cache') || directives.has('no-store');
  const lifetime = revalidateAlways ? 0 : (seconds(directives.get('max-age')) ?? HEURISTIC_FRESHNESS_MS);
  const staleIfError = revalidateAlways || directives.has('must-revalidate') ? undefined : seconds(directives.get('stale-if-error'));
  const freshUntil = fetchedAt + lifetime;
  return { url, value, fetchedAt, freshUntil, ...(staleIfError !== undefined ? { staleIfErrorUntil: freshUntil + staleIfError } : {}), noStore: directives.has('no-store') };
}

/** DC-C-05 within RFC 5861 §4: the stored copy of `url`, when the server allowed it to stand in for an unavailable one. */
async function orStaleOnError<T>(fetch: () => Promise<Fetched<T>>, stored: Kept<T> | undefined, url: string | undefined): Promise<Fetched<T>> {
  try {
    return await fetch();
  } catch (error) {
    const allowed = stored?.staleIfErrorUntil !== undefined && Date.now() <= stored.staleIfErrorUntil && (url === undefined || stored.url === url);
    if (!(error instanceof Unavailable) || !allowed) throw error;
    log('discovery', `${error.message}; using the stored ${stored.url}, as its stale-if-error allows`);
    return { ...stored, noStore: false };
  }
}

function kept<T>(document: Fetched<T>): Kept<T> | undefined {
  if (document.noStore) return undefined;
  const { noStore: _, ...rest } = document;
  return rest;
}

/** Fresh, and fetched no earlier than `notBefore` when the caller asked for revalidation. */
function usable(document: Kept<unknown> | undefined, notBefore: number | undefined): boolean {
  return document !== undefined && Date.now() < document.freshUntil && (notBefore === undefined || document.fetchedAt >= notBefore);
}

/** An answer to a GET for a discovery document: the document, "not here" (404/410), or a transient failure. */
async function getDocument(url: string, what: string, clause: string): Promise<{ received: Received; document: Record<string, unknown> } | 'absent'> {
  const received = await send('GET', url, { accept: 'application/json' });
  if (isTransient(received)) throw new Unavailable(`${what} at ${url} answered ${received.status}`);
  if (received.status === 404 || received.status === 410) return 'absent';
  // RFC 9728 §3.2 and RFC 8414 §3.2: "A successful response MUST use the 200 OK HTTP status code."
  if (received.status >= 200 && received.status <= 299 && received.status !== 200) refuse(clause, `${what} at ${url} answered ${received.status}, not 200 OK`);
  if (received.status !== 200) throw new Failure(`${what} at ${url} answered ${received.status}`);
  return { received, document: jsonObject(received, clause, what) };
}

/** RFC 9728 §2 and MCP "Authorization Server Location": the members this client uses, type-checked. */
function validatePrm(document: Record<string, unknown>, url: string, expectedResource: string, why: string): Prm {
  const what = `PRM ${url}`;
  // RFC 9728 §3.3: identical, compared code point by code point (RFC 9728 §6 rules out normalisation).
  if (document.resource !== expectedResource) {
    refuse('RFC 9728 §3.3', `${what} says resource ${JSON.stringify(document.resource)}; ${why} it must be ${JSON.stringify(expectedResource)}`);
  }
  noEmptyArrays(document, 'RFC 9728 §3.2', what);
  const authorizationServers = optionalStrings(document, 'authorization_servers', 'RFC 9728 §2', what);
  // MCP authorization (2025-06-18 on): the document MUST include authorization_servers with at least one.
  if (!authorizationServers?.length) refuse('MCP Authorization Server Location', `${what} names no authorization server`);
  const scopesSupported = optionalStrings(document, 'scopes_supported', 'RFC 9728 §2', what);
  const bearerMethods = optionalStrings(document, 'bearer_methods_supported', 'RFC 9728 §2', what);
  // MCP sends tokens in the Authorization header only (OAuth 2.1 §5.1.1); a resource that refuses that cannot be used.
  if (bearerMethods && !bearerMethods.includes('header')) refuse('RFC 9728 §2', `${what} lists bearer_methods_supported ${JSON.stringify(bearerMethods)}, without "header"`);
  return { resource: expectedResource, authorizationServers, ...(scopesSupported ? { scopesSupported } : {}) };
}

/**
 * C-PRM-02..04: the challenge's resource_metadata, else the path-inserted well-known URL, then the
 * root one. Each URL has its own expected `resource` (RFC 9728 §3.3): the URL of the request that
 * drew the challenge, or the identifier the well-known suffix was inserted into (for the root URL,
 * the origin). null when no PRM exists (404 everywhere): a 2025-03-26 server.
 */
async function discoverPrm(resource: string, challengedUrl: string | undefined): Promise<Fetched<Prm | null>> {
  const { origin, pathname, search } = new URL(resource);
  const path = pathname.replace(/\/$/, '');
  const candidates: Array<{ url: string; expected: string; why: string }> = challengedUrl
    ? [{ url: challengedUrl, expected: resource, why: 'named by the WWW-Authenticate of a request to that URL,' }]
    : [
        ...(path || search ? [{ url: origin + PRM_WELL_KNOWN + path + search, expected: resource, why: 'built by path insertion from that identifier,' }] : []),
        { url: origin + PRM_WELL_KNOWN, expected: path || search ? origin : resource, why: 'the root well-known URL is built from the origin, so' },
      ];
  for (const { url, expected, why } of candidates) {
    const fetchedAt = Date.now();
    const answer = await getDocument(url, 'protected resource metadata', 'RFC 9728 §3.2');
    if (answer === 'absent') {
      if (challengedUrl) throw new Failure(`the resource_metadata URL ${url} answered 404`);
      continue;
    }
    const prm = validatePrm(answer.document, url, expected, why);
    log('prm', `${url}: resource ${prm.resource}, authorization server ${prm.authorizationServers[0]}`);
    return fetched(url, prm, answer.received, fetchedAt);
  }
  log('prm', 'no protected resource metadata at any well-known URL');
  return fetched(origin + PRM_WELL_KNOWN, null, undefined, Date.now());
}

/** RFC 8414 §3.1 and OIDC Discovery §4.1 locations, in the order of C-ASM-03/04. */
function metadataUrls(issuer: string, legacy: boolean): Array<{ url: string; oidc: boolean }> {
  const { origin, pathname } = new URL(issuer);
  // RFC 8414 §3.1: a terminating "/" is removed before the well-known segment is inserted.
  const path = pathname.replace(/\/$/, '');
  const oauth = { url: origin + OAUTH_WELL_KNOWN + path, oidc: false };
  // 2025-03-26 servers were only ever required to publish RFC 8414 metadata.
  if (legacy) return [oauth];
  if (!path) return [oauth, { url: origin + OIDC_WELL_KNOWN, oidc: true }];
  return [oauth, { url: origin + OIDC_WELL_KNOWN + path, oidc: true }, { url: origin + path + OIDC_WELL_KNOWN, oidc: true }];
}

function requiredStrings(document: Record<string, unknown>, name: string, clause: string, what: string): string[] {
  const value = optionalStrings(document, name, clause, what);
  if (!value) refuse(clause, `${what} lacks the required ${name}`);
  return value;
}

function validateMetadata(document: Record<string, unknown>, url: string, issuer: string, oidc: boolean): AsMetadata {
  const what = `metadata ${url}`;
  // RFC 8414 §3.3 / OIDC Discovery §4.3: identical to the issuer the URL was built from.
  if (document.issuer !== issuer) refuse(oidc ? 'OIDC Discovery §4.3' : 'RFC 8414 §3.3', `${what} says issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(issuer)}`);
  const clause = oidc ? 'OIDC Discovery §3' : 'RFC 8414 §2';
  noEmptyArrays(document, oidc ? 'OIDC Discovery §4.2' : 'RFC 8414 §3.2', what);
  // C-PKCE-02/04/05, first, as what makes the server unusable for MCP at all: without
  // code_challenge_methods_supported the server does not support PKCE; S256 is the method MCP uses.
  const methods = optionalStrings(document, 'code_challenge_methods_supported', clause, what);
  if (!methods) refuse(oidc ? 'MCP C-PKCE-05' : 'MCP C-PKCE-04', `${what} has no code_challenge_methods_supported: the server does not support PKCE`);
  if (!methods.includes('S256')) refuse('MCP C-PKCE-03', `${what} lists code_challenge_methods_supported ${JSON.stringify(methods)}, without S256`);
  const authorizationEndpoint = endpointUrl(document.authorization_endpoint, `${what}: authorization_endpoint`, clause);
  const tokenEndpoint = endpointUrl(document.token_endpoint, `${what}: token_endpoint`, clause);
  const registrationEndpoint = document.registration_endpoint === undefined ? undefined : endpointUrl(document.registration_endpoint, `${what}: registration_endpoint`, clause);
  const responseTypes = requiredStrings(document, 'response_types_supported', clause, what);
  if (oidc) {
    // OIDC Discovery §3: REQUIRED for OpenID Providers.
    endpointUrl(document.jwks_uri, `${what}: jwks_uri`, clause);
    requiredStrings(document, 'subject_types_supported', clause, what);
    const idTokenAlgs = requiredStrings(document, 'id_token_signing_alg_values_supported', clause, what);
    // OIDC Discovery §3: "The algorithm RS256 MUST be included."
    if (!idTokenAlgs.includes('RS256')) refuse(clause, `${what} lists id_token_signing_alg_values_supported ${JSON.stringify(idTokenAlgs)}, without RS256`);
  }
  if (!responseTypes.includes('code')) refuse('OAuth 2.1 §4.1', `${what} does not support response_type code`);
  const tokenEndpointAuthMethods = optionalStrings(document, 'token_endpoint_auth_methods_supported', clause, what);
  return {
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    ...(registrationEndpoint ? { registrationEndpoint } : {}),
    ...(tokenEndpointAuthMethods ? { tokenEndpointAuthMethods } : {}),
    issSupported: optionalBoolean(document, 'authorization_response_iss_parameter_supported', 'RFC 9207 §3', what) === true,
    cimdSupported: optionalBoolean(document, 'client_id_metadata_document_supported', 'MCP client ID metadata documents', what) === true,
  };
}

/** The first metadata document found in the C-ASM-03/04 order; null when there is none (legacy defaults). */
async function discoverMetadata(issuer: string, legacy: boolean): Promise<Fetched<AsMetadata | null>> {
  const parsed = new URL(endpointUrl(issuer, 'issuer', 'RFC 8414 §2'));
  // RFC 8414 §2: the issuer identifier has no query or fragment component.
  if (parsed.search || issuer.includes('?')) refuse('RFC 8414 §2', `issuer ${issuer} has a query component`);
  for (const { url, oidc } of metadataUrls(issuer, legacy)) {
    const fetchedAt = Date.now();
    const answer = await getDocument(url, 'authorization server metadata', oidc ? 'OIDC Discovery §4.2' : 'RFC 8414 §3.2');
    if (answer === 'absent') continue;
    const metadata = validateMetadata(answer.document, url, issuer, oidc);
    log('as-metadata', `${url}: issuer, endpoints and PKCE support valid`);
    return fetched(url, metadata, answer.received, fetchedAt);
  }
  if (!legacy) throw new Failure(`no authorization server metadata for ${issuer} at ${metadataUrls(issuer, false).map((u) => u.url).join(', ')}`);
  log('as-metadata', `none at ${issuer}: the 2025-03-26 default endpoints apply`);
  return fetched(metadataUrls(issuer, true)[0].url, null, undefined, Date.now());
}

function bindingOf(issuer: string, prm: Kept<Prm | null>, metadata: Kept<AsMetadata | null>): Binding {
  const document = metadata.value;
  return {
    issuer,
    ...(prm.value ? { prmUrl: prm.url } : {}),
    ...(prm.value?.scopesSupported ? { scopesSupported: prm.value.scopesSupported } : {}),
    ...(document
      ? {
          metadata: document,
          authorizationEndpoint: document.authorizationEndpoint,
          tokenEndpoint: document.tokenEndpoint,
          ...(document.registrationEndpoint ? { registrationEndpoint: document.registrationEndpoint } : {}),
        }
      : // 2025-03-26 "Fallbacks for Servers without Metadata Discovery": fixed paths at the authorization base URL.
        { authorizationEndpoint: `${issuer}/authorize`, tokenEndpoint: `${issuer}/token`, registrationEndpoint: `${issuer}/register` }),
  };
}

export interface BindOptions {
  /** resource_metadata of the challenge: a URL other than the cached one means the metadata moved (RFC 9728 §5.2). */
  challengedUrl?: string;
  /** Documents fetched before this instant are not trusted: a token just obtained was refused. */
  notBefore?: number;
}

export class Discovery {
  constructor(
    private readonly store: Store,
    /** The canonical MCP server URL. */
    private readonly resource: string,
    /** MCP_CONFORMANCE_PROTOCOL_VERSION: only a 2025-03-26 server may lack PRM. */
    private readonly protocolVersion: string,
  ) {}

  async bind(options: BindOptions = {}): Promise<Binding> {
    const hit = this.fromStore(this.store.read(), options);
    if (hit) return hit;
    return this.store.locked(async (change) => {
      // Another copy may have fetched while this one waited for the lock.
      const meanwhile = this.fromStore(this.store.read(), options);
      if (meanwhile) return meanwhile;
      const stored = this.store.read();
      const known = stored.resources[this.resource];
      const prm = await orStaleOnError(() => discoverPrm(this.resource, options.challengedUrl), known?.prm, options.challengedUrl);
      if (prm.value === null && this.protocolVersion !== '2025-03-26') {
        // MCP 2025-06-18 on: servers MUST implement RFC 9728; only a 2025-03-26 server may lack it.
        refuse('MCP Authorization Server Discovery', `no protected resource metadata for ${this.resource} (protocol version ${this.protocolVersion})`);
      }
      // C-PRM-06: the first server listed is the resource server's choice; without PRM the MCP origin is the authorization base URL (2025-03-26).
      const issuer = prm.value ? prm.value.authorizationServers[0] : new URL(this.resource).origin;
      const metadata = await orStaleOnError(() => discoverMetadata(issuer, prm.value === null), stored.issuers[issuer]?.metadata, undefined);
      change((data) => {
        // A no-store PRM is not kept; the issuer it named is, so the tokens stored under it are found again.
        const keptPrm = kept(prm);
        const entry: ResourceEntry = { issuer, ...(keptPrm ? { prm: keptPrm } : {}) };
        data.resources[this.resource] = entry;
        const keptMetadata = kept(metadata);
        const record = issuerEntry(data, issuer);
        if (keptMetadata) record.metadata = keptMetadata;
        else delete record.metadata;
      });
      return bindingOf(issuer, prm, metadata);
    });
  }

  /** The binding from the store, when every document it rests on may still be used. */
  private fromStore(data: StoreData, { challengedUrl, notBefore }: BindOptions): Binding | undefined {
    const entry = data.resources[this.resource];
    if (!entry?.prm || !usable(entry.prm, notBefore)) return undefined;
    if (challengedUrl !== undefined && entry.prm.url !== challengedUrl) return undefined;
    const metadata = data.issuers[entry.issuer]?.metadata;
    if (!metadata || !usable(metadata, notBefore)) return undefined;
    return bindingOf(entry.issuer, entry.prm, metadata);
  }
}

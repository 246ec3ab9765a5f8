// Where to authorize for an MCP server: its protected resource metadata (RFC 9728), then its
// authorization server's metadata (RFC 8414 / OIDC Discovery), validated and cached in the store.
//
// The cache lives in the shared store, keyed by the PRM URL and the issuer, so other copies and
// later runs reuse it (DC-C-01, DC-C-07). Reuse follows Cache-Control (DC-C-02). When the cache is
// cold, one copy fetches under the store lock and the others find the result there (DC-C-06). A
// failed re-validation keeps the last known good documents; the client then never guesses the MCP
// server's own origin as the authorization server (DC-C-05).
import { buildDiscoveryUrls } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthProtectedResourceMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { Target } from './config.js';
import { getJson, reuseUntil, Unavailable } from './http.js';
import { log, refuse } from './log.js';
import { issuerRecord, serverRecord, type AsMetadata, type CachedDocument, type CredentialStore, type StoreData } from './store.js';

type Prm = OAuthProtectedResourceMetadata;

/** Everything the client needs to talk to the authorization server of one MCP server. */
export interface Binding {
  /** The store key of the authorization server (C-REG-15): credentials never cross issuers. */
  issuer: string;
  /** null: the server has no PRM (2025-03-26), its origin is the authorization server. */
  prmUrl: string | null;
  scopesSupported?: string[];
  /** undefined: no metadata anywhere, the 2025-03-26 default endpoints apply. */
  metadata?: AsMetadata;
  endpoints: { authorization: string; token: string; registration?: string };
}

export interface BindOptions {
  /** The challenge's resource_metadata (C-PRM-03): a URL other than the cached one is a cache miss (DC-C-03). */
  challengedPrmUrl?: string;
  /** Ignore the cache lifetime: a token this run just obtained was refused, so the metadata may have changed (RFC 9728 §5.2). */
  revalidate?: boolean;
}

/** A document as fetched; `noStore` ones are used once and never kept. */
type Fetched<T> = CachedDocument<T> & { noStore?: boolean };

function fetched<T>(url: string | null, document: T | null, cacheControl: string | null, fetchedAt: number): Fetched<T> {
  const until = reuseUntil(cacheControl, fetchedAt);
  return { url, document, fetchedAt, expiresAt: until ?? fetchedAt, ...(until === undefined ? { noStore: true } : {}) };
}

/** What the store keeps of a fetched document: nothing when it said no-store (DC-C-02). */
function storable<T>(document: Fetched<T>): CachedDocument<T> | undefined {
  if (document.noStore) return undefined;
  const { noStore: _, ...kept } = document;
  return kept;
}

export class Discovery {
  private readonly fetching = new Map<string, Promise<Binding>>();

  constructor(
    protected readonly store: CredentialStore,
    protected readonly target: Target,
  ) {}

  async bind(options: BindOptions = {}): Promise<Binding> {
    const notBefore = options.revalidate ? Date.now() : undefined;
    const cached = this.fromCache(this.store.read(), options.challengedPrmUrl, notBefore);
    if (cached) return cached;
    // Parallel requests of this process that need the same documents wait for one fetch.
    const key = `${options.challengedPrmUrl ?? ''} ${notBefore !== undefined}`;
    let fetching = this.fetching.get(key);
    if (!fetching) {
      fetching = this.store.lock
        .withLock(async () => {
          // Another copy may have fetched while this one waited for the lock (DC-C-06).
          const meanwhile = this.fromCache(this.store.read(), options.challengedPrmUrl, notBefore);
          return meanwhile ?? this.fetchAndRemember(options.challengedPrmUrl);
        })
        .finally(() => this.fetching.delete(key));
      this.fetching.set(key, fetching);
    }
    return fetching;
  }

  protected fromCache(data: StoreData, challengedPrmUrl: string | undefined, notBefore: number | undefined): Binding | undefined {
    const server = data.servers[this.target.resource];
    const prm = server?.prm;
    if (!server?.issuer || !prm || !reusable(prm, notBefore)) return undefined;
    if (challengedPrmUrl !== undefined && prm.url !== challengedPrmUrl) return undefined;
    const metadata = server.authorizationServers[server.issuer]?.metadata;
    if (!metadata || !reusable(metadata, notBefore)) return undefined;
    log('discovery', `cached metadata for ${server.issuer} reused`);
    return this.binding(server.issuer, prm, metadata);
  }

  /** Called with the store lock held. */
  private async fetchAndRemember(challengedPrmUrl: string | undefined): Promise<Binding> {
    const known = this.store.read().servers[this.target.resource];
    const prm = await this.lastKnownGoodOnFailure(() => this.fetchPrm(challengedPrmUrl), known?.issuer ? known.prm : undefined, 'PRM');
    const issuer = this.issuerNamedBy(prm);
    const metadata = await this.lastKnownGoodOnFailure(() => this.fetchMetadata(issuer), known?.authorizationServers[issuer]?.metadata, `metadata of ${issuer}`);
    this.store.modify((data) => this.remember(data, prm, issuer, metadata));
    return this.binding(issuer, prm, metadata);
  }

  /** DC-C-05: a server error, a timeout, or a document that went missing does not replace what worked before. */
  protected async lastKnownGoodOnFailure<T>(fetch: () => Promise<Fetched<T>>, lastKnownGood: CachedDocument<T> | undefined, what: string): Promise<Fetched<T>> {
    let result: Fetched<T>;
    try {
      result = await fetch();
    } catch (error) {
      if (!(error instanceof Unavailable) || !lastKnownGood) throw error;
      log('discovery', `${error.message}; keeping the last known good ${what} (DC-C-05)`);
      return lastKnownGood;
    }
    if (result.document === null && lastKnownGood?.document) {
      log('discovery', `${what} not found any more; keeping the last known good one (DC-C-05)`);
      return lastKnownGood;
    }
    return result;
  }

  protected remember(data: StoreData, prm: Fetched<Prm>, issuer: string, metadata: Fetched<AsMetadata>): void {
    const server = serverRecord(data, this.target.resource);
    server.issuer = issuer;
    server.prm = storable(prm);
    issuerRecord(data, this.target.resource, issuer).metadata = storable(metadata);
  }

  private issuerNamedBy(prm: CachedDocument<Prm>): string {
    if (!prm.document) return this.target.mcpUrl.origin;
    // C-PRM-06: the first server listed is the resource server's choice.
    const issuer = prm.document.authorization_servers?.[0];
    if (!issuer) refuse('C-PRM-06', `PRM at ${prm.url} names no authorization server`);
    return issuer;
  }

  /** C-PRM-02..04: the challenge's resource_metadata, else path-inserted then root well-known URI. */
  private async fetchPrm(challengedPrmUrl: string | undefined): Promise<Fetched<Prm>> {
    const { origin, pathname } = this.target.mcpUrl;
    const root = `${origin}/.well-known/oauth-protected-resource`;
    const path = pathname.replace(/\/$/, '');
    // RFC 9728 §3.3: the resource a document must name is the identifier its URL was built from (the
    // origin, for the root URL), or the URL of the request that was answered with the challenge.
    const candidates: Array<[url: string, resource: string]> = challengedPrmUrl
      ? [[challengedPrmUrl, this.target.resource]]
      : path
        ? [
            [root + path, this.target.resource],
            [root, origin],
          ]
        : [[root, this.target.resource]];
    for (const [url, expected] of candidates) {
      const fetchedAt = Date.now();
      const response = await getJson(url);
      if (response.status < 200 || response.status > 299) continue;
      const prm = response.body as Prm;
      // PRM-C-04: exactly that identifier, not merely a prefix of the URL (the SDK accepts prefixes).
      if (prm?.resource !== expected) refuse('PRM-C-04', `PRM at ${url} names resource ${JSON.stringify(prm?.resource)}, not ${expected}`);
      log('prm', `${url} (resource matches)`);
      return fetched(url, prm, response.cacheControl, fetchedAt);
    }
    log('prm', 'none found: a 2025-03-26 server, whose origin is its authorization server');
    return fetched<Prm>(null, null, null, Date.now());
  }

  /** C-ASM-03/04 order (the SDK's list), each document validated before use. */
  private async fetchMetadata(issuer: string): Promise<Fetched<AsMetadata>> {
    for (const { url } of buildDiscoveryUrls(issuer)) {
      const fetchedAt = Date.now();
      const response = await getJson(url.href);
      if (response.status < 200 || response.status > 299) continue;
      const metadata = response.body as AsMetadata;
      // C-ASM-05: the issuer the document names must be the one its URL was built from.
      if (metadata?.issuer !== issuer) refuse('C-ASM-05', `metadata issuer ${JSON.stringify(metadata?.issuer)} at ${url.href} is not ${issuer}`);
      // C-PKCE-02/04/05: no code_challenge_methods_supported means no PKCE; without S256 there is nothing to use.
      if (!metadata.code_challenge_methods_supported?.includes('S256')) {
        refuse('C-PKCE-04', `AS metadata at ${url.href} does not list S256 in code_challenge_methods_supported`);
      }
      log('as-metadata', `${url.href} (issuer and PKCE support valid)`);
      return fetched(url.href, metadata, response.cacheControl, fetchedAt);
    }
    log('as-metadata', `none found for ${issuer}: using the 2025-03-26 default endpoints`);
    return fetched<AsMetadata>(null, null, null, Date.now());
  }

  private binding(issuer: string, prm: CachedDocument<Prm>, metadata: CachedDocument<AsMetadata>): Binding {
    const document = metadata.document ?? undefined;
    const endpoints = document
      ? { authorization: document.authorization_endpoint, token: document.token_endpoint, registration: document.registration_endpoint }
      : { authorization: new URL('/authorize', issuer).href, token: new URL('/token', issuer).href, registration: new URL('/register', issuer).href };
    return {
      issuer,
      prmUrl: prm.url,
      ...(prm.document?.scopes_supported ? { scopesSupported: prm.document.scopes_supported } : {}),
      ...(document ? { metadata: document } : {}),
      endpoints: { authorization: endpoints.authorization, token: endpoints.token, ...(endpoints.registration ? { registration: endpoints.registration } : {}) },
    };
  }
}

function reusable(document: CachedDocument<unknown>, notBefore: number | undefined): boolean {
  return Date.now() < document.expiresAt && (notBefore === undefined || document.fetchedAt >= notBefore);
}

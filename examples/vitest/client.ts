// The client under test in this example: what an application using @modelcontextprotocol/sdk 1.32.2
// writes to call one tool of an MCP server that requires authorization. The SDK does discovery,
// registration, PKCE, resource indicators and refresh; the application supplies the
// OAuthClientProvider: where credentials are kept, and a user agent that completes the
// authorization request (here, without a person: it fetches the authorization URL and reads the
// code off the redirect, as a test double for the browser would).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** What the application keeps between its starts. */
export interface Credentials {
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
}

export interface CredentialStore {
  load(): Credentials;
  save(credentials: Credentials): void;
}

/** Credentials kept in memory: hand the same store to the next start to model a restart. */
export function memoryStore(initial: Credentials = {}): CredentialStore {
  let kept = { ...initial };
  return {
    load: () => kept,
    save: (credentials) => {
      kept = { ...credentials };
    },
  };
}

export interface ClientOptions {
  store?: CredentialStore;
  /** Credentials of a client the authorization server knows in advance. */
  preRegistered?: { client_id: string; client_secret?: string };
  /** Every HTTP request of the client goes through it (default: the global fetch, looked up at each call). */
  fetch?: FetchLike;
}

// Nothing listens here: the user agent stops at the redirect to it and reads the code.
const REDIRECT_URL = 'http://127.0.0.1:33418/callback';
// A first authorization and a retry; more would hide a loop.
const MAX_AUTHORIZATIONS = 2;

class AppProvider implements OAuthClientProvider {
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  private sentState: string | undefined;
  /** The code the last authorization came back with, for finishAuth. */
  code: string | undefined;

  constructor(
    private readonly store: CredentialStore,
    private readonly preRegistered: ClientOptions['preRegistered'],
    private readonly fetchFn: FetchLike,
  ) {}

  get redirectUrl(): string {
    return REDIRECT_URL;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'vitest example client',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      // Not in the SDK's metadata type, but posted as written: loopback redirect URIs make a native app.
      ...{ application_type: 'native' },
    };
  }

  state(): string {
    this.sentState = crypto.randomUUID();
    return this.sentState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.store.load().client ?? this.preRegistered;
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.store.save({ ...this.store.load(), client });
  }

  tokens(): OAuthTokens | undefined {
    return this.store.load().tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.store.save({ ...this.store.load(), tokens });
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no authorization is under way');
    return this.verifier;
  }

  // Kept only to compare the authorization response's iss with: without discoveryState() the SDK
  // discovers afresh at each authorization, so a moved resource is followed.
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  // A refused refresh token must not be presented again, or the next start is stuck with it.
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    const kept = this.store.load();
    if (scope === 'all') this.store.save({});
    else if (scope === 'client') this.store.save({ tokens: kept.tokens });
    else if (scope === 'tokens') this.store.save({ client: kept.client });
    else if (scope === 'verifier') this.verifier = undefined;
    else this.discovery = undefined;
  }

  // The user agent: the authorization server approves at once and redirects to REDIRECT_URL.
  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    // The SDK goes ahead when metadata omits code_challenge_methods_supported, which means the
    // server does not support PKCE: nothing may be sent then (MCP: the client must refuse).
    const metadata = this.discovery?.authorizationServerMetadata;
    if (metadata && !metadata.code_challenge_methods_supported?.includes('S256')) throw new Error('the authorization server does not support PKCE with S256');
    const response = await this.fetchFn(authorizationUrl, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (!location) throw new Error(`the authorization endpoint answered ${response.status} without a redirect`);
    const landing = new URL(location, authorizationUrl);
    if (`${landing.origin}${landing.pathname}` !== REDIRECT_URL) throw new Error(`redirected to ${landing.origin}${landing.pathname}, not to the redirect URI`);
    const params = landing.searchParams;
    // The SDK's finishAuth takes the code alone, so the response is checked here (RFC 6749 §10.12, RFC 9207).
    if (params.get('state') !== this.sentState) throw new Error('the authorization response carries another state');
    const iss = params.get('iss');
    const issPromised = (metadata as Record<string, unknown> | undefined)?.authorization_response_iss_parameter_supported === true;
    // Without metadata (a 2025-03-26 server's default endpoints) there is no issuer to compare with.
    if (metadata && (iss !== null ? iss !== metadata.issuer : issPromised)) {
      throw new Error(`the authorization response names issuer ${iss ?? '(none)'}, not ${String(metadata.issuer)}`);
    }
    const code = params.get('code');
    if (!code) throw new Error(`the authorization failed: ${params.get('error') ?? 'no code'}`);
    this.code = code;
  }
}

/**
 * Connects to the MCP server, lists its tools and calls `test-tool`, authorizing when the server
 * asks for it. Returns the tools' names.
 */
export async function callTestTool(mcpUrl: string, options: ClientOptions = {}): Promise<string[]> {
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const provider = new AppProvider(options.store ?? memoryStore(), options.preRegistered, fetchFn);
  for (let authorizations = 0; ; ) {
    // A started transport cannot be started again: every attempt gets a new pair.
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: fetchFn });
    const client = new Client({ name: 'vitest-example-client', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      await client.callTool({ name: 'test-tool', arguments: {} });
      return tools.map((tool) => tool.name);
    } catch (error) {
      const code = provider.code;
      provider.code = undefined;
      if (!(error instanceof UnauthorizedError) || code === undefined || ++authorizations > MAX_AUTHORIZATIONS) throw error;
      await transport.finishAuth(code);
    } finally {
      await client.close();
    }
  }
}

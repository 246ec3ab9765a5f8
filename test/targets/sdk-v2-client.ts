// A second real target for the kit's integration tests: what a user of @modelcontextprotocol/client 2.4.0
// (the v2 split package) gets by following its own documentation. Like test/targets/sdk-plain-client.ts
// it is deliberately NOT a good client: the provider is the plainest one the v2 OAuthClientProvider
// interface allows, and every decision about discovery, registration, PKCE, resource indicators,
// scopes, iss, step-up and token use is left to the package. Nothing here wraps fetch, compares an
// issuer or a resource, or adds step-up logic (no onInsufficientScope, no maxStepUpRetries: the
// transport's defaults stay). When the package gets something wrong, this client gets it wrong too:
// test/integration/sdk-client-2.4.0.test.ts pins exactly what the kit says about it.
//
// Two things differ from the 1.x target, both because the v2 client guide ("Authenticate a user with
// OAuth") does them: the provider implements state(), and the callback's state is compared with it
// before anything else; and the callback's whole query goes to transport.finishAuth(params), so the
// package reads code and iss itself and runs its own RFC 9207 check. Discovery state, per-issuer
// credential storage and application_type, which the guide's example also shows, are left out: those
// are the package's defaults under test.
//
// Usage (the client command contract): node sdk-v2-client.js <mcp url>
//   MCP_CONFORMANCE_CONTEXT: {"name":"<the scenario>","client_id":...,"client_secret":...} is used
//   as the client information, as a user with configured credentials would.
import { randomUUID } from 'node:crypto';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { CLIENT_METADATA_URL, configuredClient, walkToRedirect } from './headless-user.js';

// Nothing listens here: the callback is read off the Location header that points at it.
const REDIRECT_URL = 'http://127.0.0.1:33421/callback';
// A first authorization plus one more (a step-up, a revoked token): enough for any scenario the kit
// has, and a bound on loops.
const MAX_ATTEMPTS = 3;
// Whatever the package does, the process ends within this.
const DEADLINE_MS = 20_000;

function say(what: string): void {
  process.stderr.write(`[sdk-v2-client] ${what}\n`);
}

/** One line, whatever the error carried. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

class PlainProvider implements OAuthClientProvider {
  // auth() uses it as the client_id when the AS advertises client_id_metadata_document_supported.
  readonly clientMetadataUrl = CLIENT_METADATA_URL;
  private client: StoredOAuthClientInformation | undefined = configuredClient();
  // In memory only, as the package's own examples keep them.
  private saved: StoredOAuthTokens | undefined;
  private verifier: string | undefined;
  /** The state of the last authorization request, as the v2 guide's provider keeps it. */
  lastState: string | undefined;
  /** The query of the last callback, handed whole to finishAuth. */
  callback: URLSearchParams | undefined;

  get redirectUrl(): string {
    return REDIRECT_URL;
  }

  // What a typical user writes (the v2 example client's shape, as a public client): no application_type
  // and no scope, so the package's resolveClientMetadata() and scope selection decide those.
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'sdk-v2-client',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  // One credential set, whatever ctx.issuer says: the package stamps it with the issuer on first use.
  clientInformation(): StoredOAuthClientInformation | undefined {
    return this.client;
  }

  saveClientInformation(info: StoredOAuthClientInformation): void {
    this.client = info;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: StoredOAuthTokens): void {
    this.saved = tokens;
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no code verifier saved');
    return this.verifier;
  }

  // The v2 guide's CSRF binding: the package puts it on the authorization URL and leaves the
  // comparison to the application (see main()).
  state(): string {
    this.lastState = randomUUID();
    return this.lastState;
  }

  // No saveDiscoveryState/discoveryState, invalidateCredentials, validateResourceURL, scopeForRefresh
  // or addClientAuthentication: those are the package's defaults under test.

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    say(`authorize: ${authorizationUrl.origin}${authorizationUrl.pathname}`);
    const landing = await walkToRedirect(authorizationUrl, REDIRECT_URL);
    this.callback = landing.searchParams;
  }
}

async function main(): Promise<void> {
  const target = process.argv.at(-1);
  if (process.argv.length < 3 || !target || !/^https?:\/\//.test(target)) {
    say('usage: sdk-v2-client <mcp url>');
    process.exit(2);
  }
  const serverUrl = new URL(target);
  const provider = new PlainProvider();
  for (let attempt = 1; ; attempt++) {
    // A started transport cannot be started again, so each attempt builds a new pair; the OAuth state
    // lives on the provider.
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
    const client = new Client({ name: 'sdk-v2-client', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      say(`tools: ${tools.map((tool) => tool.name).join(', ')}`);
      const result = await client.callTool({ name: 'test-tool', arguments: {} });
      say(`test-tool: ${JSON.stringify(result.content)}`);
      await client.close();
      return;
    } catch (error) {
      const params = provider.callback;
      provider.callback = undefined;
      // Only the package's "go and authorize" signal with a callback in hand is worth another attempt.
      if (!(error instanceof UnauthorizedError) || params === undefined || attempt >= MAX_ATTEMPTS) throw error;
      // As the v2 guide does it: the package does not validate state, the application does.
      if (params.get('state') !== provider.lastState) throw new Error('state mismatch');
      await transport.finishAuth(params);
      await client.close();
    }
  }
}

const deadline = setTimeout(() => {
  say(`failed: no result within ${DEADLINE_MS / 1000} s`);
  process.exit(1);
}, DEADLINE_MS);

main().then(
  () => {
    clearTimeout(deadline);
    process.exit(0);
  },
  (error: unknown) => {
    say(`failed: ${oneLine(error)}`);
    process.exit(1);
  },
);

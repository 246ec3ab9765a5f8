// A real target for the kit's integration tests: what a user of @modelcontextprotocol/sdk 1.32.2 gets
// out of the box. It is deliberately NOT a good client. The provider is the plainest one the SDK's
// OAuthClientProvider interface allows (the shape of the SDK's own InMemoryOAuthClientProvider and of
// the official conformance suite's example provider); every decision about discovery, registration,
// PKCE, resource indicators, scopes and token use is left to the SDK. Nothing here validates what
// the SDK accepts: no wrapping fetch, no state/iss comparison, no resource or issuer check, no
// step-up workaround. When the SDK gets something wrong, this client gets it wrong too, which is the
// point: test/integration/sdk-1.32.2.test.ts pins exactly what the kit says about it.
//
// Like a host application, it keeps what the provider is given (client information and tokens) in
// a JSON file in its state directory, read at start and rewritten whole on every save: no lock, no
// atomic rename, the code a host writes first. With SDK_PLAIN_CLIENT_CONNECTIONS=2 it behaves like a
// host with several agents: a start that finds tokens stored opens two connections at once, sharing
// the provider, which is where the SDK's refreshes meet (each transport's auth() refreshes on its
// own 401). Only the first connection ever sends the user to authorize; the second waits for it and
// tries again.
//
// Usage (the client command contract): node sdk-plain-client.js <mcp url>
//   MCP_CONFORMANCE_CONTEXT: {"name":"<the scenario>","client_id":...,"client_secret":...} is used
//   as the client information, as an SDK user with configured credentials would.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { CLIENT_METADATA_URL, configuredClient, walkToRedirect } from './headless-user.js';

// Nothing listens here: the code is read off the Location header that points at it.
const REDIRECT_URL = 'http://127.0.0.1:33419/callback';
// A first authorization plus one retry: enough for any scenario the kit has, and a bound on loops.
const MAX_ATTEMPTS = 3;

function say(what: string): void {
  process.stderr.write(`[sdk-plain-client] ${what}\n`);
}

interface Saved {
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
}

/** The state file, or nothing when the kit names no state directory (then everything stays in memory). */
function stateFile(): string | undefined {
  const dir = process.env.MCP_CONFORMANCE_STATE_DIR;
  return dir ? path.join(dir, 'sdk-plain-client.json') : undefined;
}

function load(file: string | undefined): Saved {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Saved;
  } catch {
    return {};
  }
}

class PlainProvider implements OAuthClientProvider {
  // auth() uses it as the client_id when the AS advertises client_id_metadata_document_supported.
  readonly clientMetadataUrl = CLIENT_METADATA_URL;
  private readonly file = stateFile();
  private readonly loaded = load(this.file);
  private client: OAuthClientInformationMixed | undefined = this.loaded.client ?? configuredClient();
  private saved: OAuthTokens | undefined = this.loaded.tokens;
  private verifier: string | undefined;
  /** The code of the last authorization, taken as it came: no state and no iss is compared. */
  code: string | undefined;

  get redirectUrl(): string {
    return REDIRECT_URL;
  }

  // What a typical SDK user writes: no application_type (the SDK's metadata type has none), no scope
  // (the SDK picks one), and a public client.
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'sdk-plain-client',
      redirect_uris: [REDIRECT_URL],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
    this.persist();
  }

  tokens(): OAuthTokens | undefined {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
    this.persist();
  }

  private persist(): void {
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify({ client: this.client, tokens: this.saved }));
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no code verifier saved');
    return this.verifier;
  }

  // No state(): neither the SDK's example provider nor the official suite's implements it, so the
  // SDK sends no state parameter at all. No invalidateCredentials, validateResourceURL,
  // addClientAuthentication or discovery cache either: those are the SDK's defaults under test.

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    say(`authorize: ${authorizationUrl.origin}${authorizationUrl.pathname}`);
    const landing = await walkToRedirect(authorizationUrl, REDIRECT_URL);
    const code = landing.searchParams.get('code');
    if (!code) throw new Error(`the redirect carried no code (error: ${landing.searchParams.get('error') ?? 'none'})`);
    this.code = code;
  }
}

/** The provider as the second connection sees it: the same credentials, but it never authorizes (the first connection does). */
class FollowerProvider implements OAuthClientProvider {
  constructor(private readonly leader: PlainProvider) {}
  get redirectUrl(): string {
    return this.leader.redirectUrl;
  }
  get clientMetadata(): OAuthClientMetadata {
    return this.leader.clientMetadata;
  }
  get clientMetadataUrl(): string {
    return this.leader.clientMetadataUrl;
  }
  clientInformation = () => this.leader.clientInformation();
  saveClientInformation = (info: OAuthClientInformationMixed) => this.leader.saveClientInformation(info);
  tokens = () => this.leader.tokens();
  saveTokens = (tokens: OAuthTokens) => this.leader.saveTokens(tokens);
  // Its verifier is never used: this connection never redeems a code.
  saveCodeVerifier(): void {}
  codeVerifier(): string {
    throw new Error('the second connection does not authorize');
  }
  redirectToAuthorization(): void {
    throw new UnauthorizedError('the second connection leaves authorization to the first');
  }
}

/** One connection: list tools, call test-tool; after the SDK asks for authorization, redeem the code and start again. */
async function session(serverUrl: URL, provider: PlainProvider): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // A transport that has been started cannot be started again, so each attempt builds a new pair.
    const transport = new StreamableHTTPClientTransport(serverUrl, { authProvider: provider });
    const client = new Client({ name: 'sdk-plain-client', version: '1.0.0' });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      say(`tools: ${tools.map((tool) => tool.name).join(', ')}`);
      const result = await client.callTool({ name: 'test-tool', arguments: {} });
      say(`test-tool: ${JSON.stringify(result.content)}`);
      await client.close();
      return;
    } catch (error) {
      const code = provider.code;
      provider.code = undefined;
      // Only the SDK's "go and authorize" signal with a code in hand is worth another attempt.
      if (!(error instanceof UnauthorizedError) || code === undefined || attempt >= MAX_ATTEMPTS) throw error;
      await transport.finishAuth(code);
      await client.close();
    }
  }
}

/** The second connection of a warm start: calls the tool; if the SDK wants a new authorization, waits for the first connection and tries once more. */
async function follower(serverUrl: URL, provider: PlainProvider, leader: Promise<void>): Promise<void> {
  const attempt = async () => {
    const client = new Client({ name: 'sdk-plain-client-2', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(serverUrl, { authProvider: new FollowerProvider(provider) }));
    const result = await client.callTool({ name: 'test-tool', arguments: {} });
    say(`test-tool (second connection): ${JSON.stringify(result.content)}`);
    await client.close();
  };
  try {
    await attempt();
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
    await leader.catch(() => undefined);
    await attempt();
  }
}

async function main(): Promise<void> {
  const target = process.argv.at(-1);
  if (process.argv.length < 3 || !target || !/^https?:\/\//.test(target)) {
    say('usage: sdk-plain-client <mcp url>');
    process.exit(2);
  }
  const serverUrl = new URL(target);
  const provider = new PlainProvider();
  const connections = process.env.SDK_PLAIN_CLIENT_CONNECTIONS === '2' ? 2 : 1;
  if (connections === 1 || !provider.tokens()) return session(serverUrl, provider);
  const first = session(serverUrl, provider);
  await Promise.all([first, follower(serverUrl, provider, first)]);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

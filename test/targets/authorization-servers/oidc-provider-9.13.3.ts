// oidc-provider 9.13.3 as the authorization server of one MCP server, configured as its
// documentation asks for that: open dynamic registration (features.registration), PKCE required
// for every client (pkce.required), resource indicators (features.resourceIndicators) whose
// getResourceServerInfo knows the one MCP server of the environment and issues JWT access tokens
// for it (aud = the resource, the library's default), a refresh token for every client registered
// for the refresh_token grant (issueRefreshToken without the default's offline_access condition)
// and rotated on every use (rotateRefreshToken: true). Beyond those, the MCP scopes are in `scopes`
// too (registration checks a client's scope against that list alone) and responseTypes is ["code"],
// OAuth 2.1's one flow. Its own signing and cookie keys, made at start.
//
// What the library leaves to the deployment is the interaction: it redirects the browser to
// /interaction/<uid> and expects the deployment to log the user in and record consent. The handler
// here does what the documentation's example does once a person has clicked through: it reads the
// interaction details, answers a login prompt with the one account, and for a consent prompt saves a
// Grant with the scopes and resource scopes the prompt says are missing, then returns the browser to
// the authorization endpoint. So a user agent that keeps cookies completes an authorization alone.
//
// `--store=awaiting` keeps the library's own in-memory store but makes every operation await a few
// ms, as a database would: the store the library's documentation says production must replace.
// Usage: node oidc-provider-9.13.3.js [--store=memory|awaiting], with the authorization-server environment.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { MCP_SCOPES, readContract, serve, USER } from './contract.js';
import { fail } from '../servers/contract.js';

// oidc-provider ships no type declarations, and DefinitelyTyped's trail its releases; the target
// loads it by a name tsc does not resolve and states the little of its API it uses.
interface Prompt {
  name: string;
  details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
}

interface Interaction {
  prompt: Prompt;
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}

interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}

interface ClientInstance {
  grantTypeAllowed(type: string): boolean;
}

interface Provider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
  interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
  Grant: { new (init: { accountId: string; clientId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
}

interface OidcProviderModule {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => Provider;
  errors: { InvalidTarget: new (description?: string) => Error };
}

interface Adapter {
  upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void>;
  find(id: string): Promise<unknown>;
  findByUserCode(code: string): Promise<unknown>;
  findByUid(uid: string): Promise<unknown>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

interface MemoryAdapterModule {
  createMemoryAdapter(clockTolerance?: number): (model: string) => Adapter;
}

const load = <T>(name: string): Promise<T> => import(name) as Promise<T>;
const { Provider, errors } = await load<OidcProviderModule>('oidc-provider');

const contract = readContract();
const store = process.argv.find((arg) => arg.startsWith('--store='))?.slice('--store='.length) ?? 'memory';
if (store !== 'memory' && store !== 'awaiting') fail(`--store must be memory or awaiting, not ${store}`);

/** How long each store operation takes: a round trip to a database on the same host. */
const STORE_LATENCY_MS = 3;

/** The library's in-memory store, each operation answered only after STORE_LATENCY_MS. */
async function awaitingAdapter(): Promise<(model: string) => Adapter> {
  const { createMemoryAdapter } = await load<MemoryAdapterModule>('oidc-provider/lib/adapters/memory_adapter.js');
  const memory = createMemoryAdapter();
  return (model) => {
    const inner = memory(model);
    const later =
      <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        await sleep(STORE_LATENCY_MS);
        return operation.apply(inner, args);
      };
    return {
      upsert: later(inner.upsert),
      find: later(inner.find),
      findByUserCode: later(inner.findByUserCode),
      findByUid: later(inner.findByUid),
      consume: later(inner.consume),
      destroy: later(inner.destroy),
      revokeByGrantId: later(inner.revokeByGrantId),
    };
  };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'mcp-conformance-rs256', use: 'sig', alg: 'RS256' };

const provider = new Provider(contract.issuer, {
  ...(store === 'awaiting' ? { adapter: await awaitingAdapter() } : {}),
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // Resource scopes belong to getResourceServerInfo, but registration checks a client's `scope`
  // against this list alone, and MCP SDK clients register with the scope they are about to ask for.
  scopes: ['openid', 'offline_access', ...MCP_SCOPES],
  async findAccount(_ctx: unknown, id: string) {
    return { accountId: id, claims: async () => ({ sub: id }) };
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A client that names no resource gets tokens for the one MCP server there is.
      defaultResource: async () => contract.resource,
      // The documentation's recommendation: only resources the deployment knows.
      getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
        if (indicator !== contract.resource) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
        return { scope: MCP_SCOPES.join(' '), accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
      useGrantedResource: async () => true,
    },
  },
  // OAuth 2.1 has the code flow only; the default adds OpenID Connect's implicit and hybrid ones.
  responseTypes: ['code'],
  pkce: { required: () => true },
  issueRefreshToken: async (_ctx: unknown, client: ClientInstance) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
});

/** The person at the browser, who logs in and consents to whatever the client asks. */
async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const interaction = await provider.interactionDetails(req, res);
  const { prompt, params } = interaction;
  let result: Record<string, unknown>;
  if (prompt.name === 'login') {
    result = { login: { accountId: USER.id } };
  } else if (prompt.name === 'consent') {
    const grant = interaction.grantId
      ? await provider.Grant.find(interaction.grantId)
      : new provider.Grant({ accountId: interaction.session?.accountId ?? USER.id, clientId: String(params.client_id) });
    if (!grant) throw new Error(`grant ${interaction.grantId} is gone`);
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    result = { consent: interaction.grantId ? {} : { grantId } };
  } else {
    result = { error: 'access_denied', error_description: `this deployment has no ${prompt.name} interaction` };
  }
  const returnTo = await provider.interactionResult(req, res, result, { mergeWithLastSubmission: true });
  res.writeHead(303, { location: returnTo, 'cache-control': 'no-store' }).end();
}

const handle = provider.callback();
const server = createServer((req, res) => {
  if (!req.url?.startsWith('/interaction/')) return handle(req, res);
  interact(req, res).catch((error: unknown) => {
    process.stderr.write(`interaction error: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('the interaction could not be completed');
  });
});
serve(server, contract);

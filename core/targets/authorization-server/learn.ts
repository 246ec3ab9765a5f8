// What the kit finds out about an authorization server before any scenario runs, the way an MCP
// client would: its metadata (RFC 8414 at the path-inserted well-known URL, else OpenID Connect
// discovery), and a client to act as (the one given, or one registered as MCP SDKs register).
// Scenarios judge the metadata and registration themselves; this only makes the run possible.
import type { AuthorizationServerClient, AuthorizationServerFacts } from '../../trace.js';
import { jsonObject } from './drive.js';
import type { Probe } from '../probe.js';

/** The RFC 8414 §3.1 metadata URL: the well-known segment between host and path, a trailing `/` of the path dropped. */
export function rfc8414MetadataUrl(issuer: string): string {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** OpenID Connect Discovery 1.0 §4: the well-known segment appended to the issuer. */
export function oidcMetadataUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** The registration request of an MCP SDK client (the TypeScript SDK's shape), for `redirectUri`. */
export function mcpClientMetadata(redirectUri: string, options: { applicationType?: boolean; scope?: string } = {}): Record<string, unknown> {
  return {
    client_name: 'mcp-auth-conformance',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    ...(options.scope ? { scope: options.scope } : {}),
    // MCP 2026-07-28 has clients send it; earlier SDKs did not.
    ...(options.applicationType !== false ? { application_type: 'native' } : {}),
  };
}

export interface GivenClient {
  clientId: string;
  clientSecret?: string;
  authMethod?: AuthorizationServerClient['authMethod'];
}

export interface LearnOptions {
  probe: Probe;
  issuer: string;
  resource: string;
  redirectUri: string;
  scope?: string;
  client?: GivenClient;
  started: AuthorizationServerFacts['started'];
  login: AuthorizationServerFacts['login'];
  secrets: Set<string>;
}

/** The auth method a registered client uses: what the server said it registered, else what was asked. */
function registeredAuthMethod(json: Record<string, unknown>): AuthorizationServerClient['authMethod'] {
  const method = json.token_endpoint_auth_method;
  if (typeof json.client_secret !== 'string') return 'none';
  return method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic';
}

export async function learnAuthorizationServer(options: LearnOptions): Promise<AuthorizationServerFacts> {
  const metadataUrl = rfc8414MetadataUrl(options.issuer);
  const oidcUrl = oidcMetadataUrl(options.issuer);
  const facts: AuthorizationServerFacts = {
    issuer: options.issuer,
    metadataUrl,
    oidcUrl,
    resource: options.resource,
    ...(options.scope ? { scope: options.scope } : {}),
    redirectUri: options.redirectUri,
    started: options.started,
    login: options.login,
  };
  for (const [url, source] of [[metadataUrl, 'rfc8414'], [oidcUrl, 'oidc']] as const) {
    const result = await options.probe.send('learn:metadata', { url, headers: { accept: 'application/json' }, role: 'as-metadata' });
    const json = result.response?.status === 200 ? jsonObject(result.response.body) : undefined;
    if (json) {
      facts.metadata = json;
      facts.metadataSource = source;
      break;
    }
  }

  if (options.client) {
    const { clientId, clientSecret, authMethod } = options.client;
    facts.client = {
      client_id: clientId,
      ...(clientSecret !== undefined ? { client_secret: clientSecret } : {}),
      authMethod: authMethod ?? (clientSecret !== undefined ? 'client_secret_basic' : 'none'),
      source: 'given',
    };
    if (clientSecret !== undefined) options.secrets.add(clientSecret);
    return facts;
  }
  const registration = facts.metadata?.registration_endpoint;
  if (typeof registration !== 'string') {
    facts.noClient = facts.metadata
      ? 'the metadata names no registration_endpoint and no --client-id was given'
      : 'no metadata was found, so no registration endpoint either, and no --client-id was given';
    return facts;
  }
  const result = await options.probe.send('learn:register', {
    method: 'POST',
    url: registration,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(mcpClientMetadata(options.redirectUri, options.scope ? { scope: options.scope } : {})),
    role: 'register',
  });
  const json = jsonObject(result.response?.body);
  const status = result.response?.status;
  if (!json || typeof json.client_id !== 'string' || status === undefined || status < 200 || status > 299) {
    const said = json?.error !== undefined ? ` (${String(json.error)}${json.error_description ? `: ${String(json.error_description)}` : ''})` : '';
    facts.noClient = `registering a client at ${registration} was refused: ${result.exchange.error ?? `HTTP ${status}`}${said}`;
    return facts;
  }
  if (typeof json.client_secret === 'string') options.secrets.add(json.client_secret);
  if (typeof json.registration_access_token === 'string') options.secrets.add(json.registration_access_token);
  facts.client = {
    client_id: json.client_id,
    ...(typeof json.client_secret === 'string' ? { client_secret: json.client_secret } : {}),
    authMethod: registeredAuthMethod(json),
    source: 'registered',
  };
  return facts;
}

// Fixed values of the reference server and what it reads from the environment the kit sets
// (the server-suite contract).

export const SERVER_NAME = 'mcp-auth-conformance-reference-server';
export const HOST = '127.0.0.1';

/** Every MCP request needs the first; calling test-tool, which acts on the upstream API, needs both. */
export const READ_SCOPE = 'mcp:read';
export const WRITE_SCOPE = 'mcp:write';
export const SCOPES_SUPPORTED = [READ_SCOPE, WRITE_SCOPE];

/** Requests this server makes itself (introspection, upstream API); the kit's peers are local. */
export const REQUEST_TIMEOUT_MS = 5_000;
/** A JSON-RPC body larger than this is refused before it is parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Open sessions kept at most; the oldest is closed to make room, so a flood cannot grow memory. */
export const MAX_SESSIONS = 200;
/** How long shutdown waits for open streams before it exits anyway. */
export const SHUTDOWN_GRACE_MS = 2_000;

export type TokenFormat = 'jwt' | 'opaque';

export interface IntrospectionClient {
  endpoint: string;
  clientId: string;
  clientSecret: string;
}

export interface UpstreamApi {
  url: string;
  /** The server's own credential there; never a client's token. */
  token: string;
}

export interface Config {
  port: number;
  /** The MCP endpoint URL: the canonical resource identifier and the `aud` tokens must carry. */
  resource: string;
  /** Path of the MCP endpoint on this server, taken from the resource identifier. */
  mcpPath: string;
  issuer: string;
  tokenFormat: TokenFormat;
  /** Set when tokenFormat is jwt. */
  jwksUri?: string;
  /** Set when tokenFormat is opaque. */
  introspection?: IntrospectionClient;
  upstream?: UpstreamApi;
}

/** The environment cannot run this server; the message names the variable. */
export class UsageError extends Error {}

function required(env: NodeJS.ProcessEnv, name: string, why = ''): string {
  const value = env[name]?.trim();
  if (!value) throw new UsageError(`missing ${name}${why ? ` (${why})` : ''}`);
  return value;
}

function httpUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${name} is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${name} is not an http(s) URL: ${value}`);
  return url;
}

export function readConfig(env: NodeJS.ProcessEnv): Config {
  const portText = required(env, 'PORT');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new UsageError(`PORT is not a port number: ${portText}`);

  const resource = required(env, 'MCP_CONFORMANCE_RESOURCE');
  const resourceUrl = httpUrl('MCP_CONFORMANCE_RESOURCE', resource);
  if (resourceUrl.hash || resourceUrl.search) throw new UsageError('MCP_CONFORMANCE_RESOURCE must have no query and no fragment (RFC 8707 §2)');
  const issuer = required(env, 'MCP_CONFORMANCE_ISSUER');
  httpUrl('MCP_CONFORMANCE_ISSUER', issuer);

  const format = required(env, 'MCP_CONFORMANCE_TOKEN_FORMAT');
  if (format !== 'jwt' && format !== 'opaque') throw new UsageError(`MCP_CONFORMANCE_TOKEN_FORMAT must be jwt or opaque, not ${format}`);

  const config: Config = { port, resource, mcpPath: resourceUrl.pathname, issuer, tokenFormat: format };
  if (format === 'jwt') {
    config.jwksUri = required(env, 'MCP_CONFORMANCE_JWKS_URI', 'needed to validate JWT access tokens');
    httpUrl('MCP_CONFORMANCE_JWKS_URI', config.jwksUri);
  } else {
    const why = 'needed to introspect opaque access tokens';
    config.introspection = {
      endpoint: required(env, 'MCP_CONFORMANCE_INTROSPECTION_ENDPOINT', why),
      clientId: required(env, 'MCP_CONFORMANCE_INTROSPECTION_CLIENT_ID', why),
      clientSecret: required(env, 'MCP_CONFORMANCE_INTROSPECTION_CLIENT_SECRET', why),
    };
    httpUrl('MCP_CONFORMANCE_INTROSPECTION_ENDPOINT', config.introspection.endpoint);
  }

  const upstreamUrl = env.MCP_CONFORMANCE_UPSTREAM_URL?.trim();
  if (upstreamUrl) {
    httpUrl('MCP_CONFORMANCE_UPSTREAM_URL', upstreamUrl);
    // Without its own credential the server could only call upstream anonymously or with the
    // client's token, and the second is exactly what it must never do.
    config.upstream = { url: upstreamUrl, token: required(env, 'MCP_CONFORMANCE_UPSTREAM_TOKEN', 'the credential for MCP_CONFORMANCE_UPSTREAM_URL') };
  }
  return config;
}

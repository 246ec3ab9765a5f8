// What the mock prints when it starts: the URLs to configure a client or a server with, copied from
// the terminal, and how to drive it. Ports are the ones actually bound (--port 0 picks free ones).
import pc from 'picocolors';
import type { MockInfo } from './control-api.js';

const INITIALIZE = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}';

function rows(entries: ReadonlyArray<readonly [string, string | undefined]>, paint: (text: string) => string): string[] {
  const present = entries.filter((entry): entry is [string, string] => entry[1] !== undefined);
  const width = Math.max(...present.map(([name]) => name.length));
  return present.map(([name, value]) => `  ${name.padEnd(width)}  ${paint(value)}`);
}

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** How `mock token` finds this mock: by the port it was started with, or by its control URL when that was free. */
function tokenCommand(info: MockInfo, port: number): string {
  return `npx mcp-auth-conformance mock token ${port === 0 ? `--control-url ${info.urls.control}` : `--port ${port}`}`;
}

export interface BannerOptions {
  /** --port as given (0: the ports were free ones). */
  port: number;
  color: boolean;
  /** Client mode: the variables the suite gives a client in the world's scenario. */
  clientEnv?: Record<string, string>;
  /** --quiet: no exchange lines will follow. */
  quiet?: boolean;
}

/** The URLs of the mode, each on a line of its own under its name. */
function urlRows(info: MockInfo): Array<[string, string | undefined]> {
  const { urls } = info;
  const own: Array<[string, string | undefined]> =
    info.mode === 'client'
      ? [
          ['MCP server URL', urls.mcp],
          ['issuer', urls.issuer],
          ['second issuer', urls.issuer2],
          ['PRM', urls.prm],
        ]
      : [
          ['issuer', urls.issuer],
          ['metadata', urls.metadata],
          ['JWKS URI', urls.jwks],
          ['introspection endpoint', `${urls.introspection} (client_secret_basic or client_secret_post)`],
          ['introspection client', `${info.introspectionClient!.id}, secret ${info.introspectionClient!.secret}`],
        ];
  return [...own, ['control API', urls.control], ['page', urls.page]];
}

export function startBanner(info: MockInfo, options: BannerOptions): string {
  const c = pc.createColors(options.color);
  const { urls } = info;
  const title = info.mode === 'client' ? `the world of ${info.scenario}, judged at ${info.specVersion}` : `an authorization server issuing tokens for ${info.resource}`;
  const lines = [c.bold(`mcp-auth-conformance mock: ${title}`), ...rows(urlRows(info), c.cyan)];
  if (info.mode === 'client') {
    const env = Object.entries(options.clientEnv ?? {}).map(([name, value]) => `${name}=${/^[\w./:-]+$/.test(value) ? value : shellQuote(value)}`);
    lines.push('Point your MCP client at the MCP server URL (the suite passes it as the last argument, with these variables):');
    lines.push(`  ${[...env, 'node ./my-client.js', urls.mcp].join(' ')}`);
    lines.push(`An access token for this world, for curl: $(${tokenCommand(info, options.port)} --scope '...')`);
  } else {
    const client = info.introspectionClient!;
    lines.push('Configure your server with these (the variables mcp-auth-conformance server gives a server it starts):');
    const variables: Array<[string, string]> = [
      ['MCP_CONFORMANCE_RESOURCE', info.resource!],
      ['MCP_CONFORMANCE_ISSUER', urls.issuer],
      ['MCP_CONFORMANCE_AS_METADATA_URL', urls.metadata],
      ['MCP_CONFORMANCE_JWKS_URI', urls.jwks],
      ['MCP_CONFORMANCE_INTROSPECTION_ENDPOINT', urls.introspection],
      ['MCP_CONFORMANCE_INTROSPECTION_CLIENT_ID', client.id],
      ['MCP_CONFORMANCE_INTROSPECTION_CLIENT_SECRET', client.secret],
    ];
    for (const [name, value] of variables) lines.push(`  export ${name}=${shellQuote(value)}`);
    lines.push('Try it with a token signed by this mock:');
    lines.push(
      `  curl -i ${shellQuote(info.resource!)} -H "Authorization: Bearer $(${tokenCommand(info, options.port)} --scope 'mcp:read')" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -d ${shellQuote(INITIALIZE)}`,
    );
  }
  lines.push(c.dim(`Ctrl-C stops the mock.${options.quiet ? '' : ' Every exchange is logged below.'}`));
  return `${lines.join('\n')}\n`;
}

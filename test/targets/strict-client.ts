// A strict MCP client for the kit's own tests: fetch and node:crypto only, no SDK. It enforces every
// MUST it can observe, on itself and on the servers it talks to, and refuses (exits 1 with one line
// naming the clause) whenever a server breaks one. It is both a correct target the suite must pass
// and an auditor of the mock world: a world that breaks an RFC a strict client may enforce would
// fail it, and a conformance suite must never fail a correct client.
//
// What it enforces, and where: RFC 9728 §3.2/§3.3, RFC 8414 §2/§3.2/§3.3 and OIDC Discovery §3/§4.3
// on every discovery document, C-PKCE-04/05 on the metadata (strict/discovery.ts); RFC 9110
// §11.6.1, RFC 6750 §3 and RFC 9728 §5.1 on every WWW-Authenticate (strict/challenge.ts); RFC 7591
// §3.2 on registration, RFC 9207 §2.4 as MCP 2026-07-28 profiles it and exact state on every
// authorization response, RFC 6749 §5.1/§5.2 on every token endpoint answer (strict/oauth.ts); RFC
// 9110 §15.5.2 on every 401, RFC 8707 resource on every authorization and token request, refresh
// rotation, step-up by union with a bound of 3 authorizations (strict/session.ts); a credential
// store shared by all copies, keyed by issuer, replaced atomically and locked across every refresh
// (strict/store.ts). Plain http is accepted on loopback only, where the conformance world runs.
//
// Usage (the client command contract): node strict-client.js <mcp url>, with MCP_CONFORMANCE_SCENARIO,
// MCP_CONFORMANCE_PROTOCOL_VERSION, MCP_CONFORMANCE_CONTEXT and MCP_CONFORMANCE_STATE_DIR.
// Exit 0: the tool was called. Exit 1: a refusal or a failure, said on the last line of stderr.
// Exit 2: no MCP URL on the command line.
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Failure, log, Refusal } from './strict/http.js';
import { preRegisteredFrom } from './strict/oauth.js';
import { Session } from './strict/session.js';
import { Store } from './strict/store.js';

const DEADLINE_MS = 20_000;
const TOOL = 'test-tool';

async function run(serverUrl: string): Promise<void> {
  const { MCP_CONFORMANCE_SCENARIO: scenario = '-', MCP_CONFORMANCE_PROTOCOL_VERSION: protocolVersion = '2025-11-25' } = process.env;
  // RFC 8707 §2: the resource is an absolute URI without a fragment.
  const resource = serverUrl.split('#')[0];
  log('start', `${resource} scenario=${scenario} version=${protocolVersion}`);
  const stateDir = process.env.MCP_CONFORMANCE_STATE_DIR || path.join(tmpdir(), 'strict-client');
  const preRegistered = preRegisteredFrom(process.env.MCP_CONFORMANCE_CONTEXT);
  const session = new Session({ resource, protocolVersion, store: new Store(path.join(stateDir, 'strict-client.json')), ...(preRegistered ? { preRegistered } : {}) });
  session.start();

  await session.request('initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'mcp-auth-conformance-strict-client', version: '0.1.0' } });
  await session.notify('notifications/initialized');
  const listed = await session.request('tools/list', {});
  const tools = Array.isArray(listed.tools) ? (listed.tools as Array<{ name?: unknown }>).map((tool) => tool.name) : [];
  log('mcp', `tools: ${tools.join(', ')}`);
  if (!tools.includes(TOOL)) throw new Failure(`the server lists no ${TOOL}`);
  const result = await session.request('tools/call', { name: TOOL, arguments: {} }, `tools/call ${TOOL}`);
  if (result.isError === true) throw new Failure(`${TOOL} answered an error result`);
  log('mcp', `${TOOL}: ${JSON.stringify(result.content)}`);
}

/** The last line on stderr says how the run ended; the kit shows it with the exit code. */
function end(code: 0 | 1 | 2, step: string, detail?: string): never {
  log(step, detail);
  process.exit(code);
}

const serverUrl = process.argv.at(-1);
if (process.argv.length < 3 || !serverUrl || !/^https?:\/\//.test(serverUrl)) end(2, 'usage', 'strict-client <mcp url>');
setTimeout(() => end(1, 'failed', `deadline of ${DEADLINE_MS / 1000} s passed`), DEADLINE_MS).unref();
try {
  await run(serverUrl);
} catch (error) {
  // A refusal's message already names the clause: "refused (RFC 9728 §3.3): ...".
  if (error instanceof Refusal) end(1, error.message);
  end(1, 'failed', error instanceof Error ? error.message : String(error));
}
end(0, 'done');

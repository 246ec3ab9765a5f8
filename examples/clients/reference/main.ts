// Puts the client together and runs it: start from the store, open two MCP connections at once, list
// tools and call test-tool, exit 0; exit 1 on a refusal or a failure, 2 on a usage error.
//
// The parts are listed in one place so a variant can swap one of them (test/mutants builds the
// reference with single defects this way) without the reference carrying switches for it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { authorizedFetch } from './auth-fetch.js';
import { DEADLINE_MS, LIMITS, readTarget, type Limits, type Target } from './config.js';
import { Credentials } from './credentials.js';
import { Discovery } from './discovery.js';
import { FileLock, type Lock } from './lock.js';
import { log, Refusal } from './log.js';
import { Registrar } from './registration.js';
import { Authorizer } from './authorizer.js';
import { CredentialStore } from './store.js';

export interface Parts {
  lock(file: string): Lock;
  store(file: string, lock: Lock): CredentialStore;
  Discovery: typeof Discovery;
  Registrar: typeof Registrar;
  Credentials: typeof Credentials;
  Authorizer: typeof Authorizer;
  limits: Limits;
}

export const REFERENCE_PARTS: Parts = {
  lock: (file) => new FileLock(file),
  store: (file, lock) => new CredentialStore(file, lock),
  Discovery,
  Registrar,
  Credentials,
  Authorizer,
  limits: LIMITS,
};

async function run(target: Target, parts: Parts): Promise<void> {
  const { MCP_CONFORMANCE_SCENARIO: scenario = '-', MCP_CONFORMANCE_PROTOCOL_VERSION: version = '-' } = process.env;
  log('start', `${target.mcpUrl.href} scenario=${scenario} version=${version}`);
  const store = parts.store(target.storeFile, parts.lock(`${target.storeFile}.lock`));
  const authorizer = new parts.Authorizer({
    target,
    store,
    discovery: new parts.Discovery(store, target),
    registrar: new parts.Registrar(store, target),
    credentials: new parts.Credentials(store, target),
    limits: parts.limits,
  });
  await authorizer.start();

  // Two connections to one server open at once, as two agents of one host would: when the stored
  // token has expired, both are refused together and must share one refresh (RT-C-02).
  const fetch = authorizedFetch(authorizer);
  await Promise.all([
    useServer(target, fetch, 1, async (client) => {
      const { tools } = await client.listTools();
      log('mcp[1]', `tools/list: ${tools.map((tool) => tool.name).join(', ')}`);
      await callTestTool(client, 1);
    }),
    useServer(target, fetch, 2, (client) => callTestTool(client, 2)),
  ]);
}

async function useServer(target: Target, fetch: ReturnType<typeof authorizedFetch>, n: number, work: (client: Client) => Promise<void>): Promise<void> {
  const transport = new StreamableHTTPClientTransport(target.mcpUrl, { fetch });
  const client = new Client({ name: 'mcp-auth-conformance-reference-client', version: '0.1.0' });
  await client.connect(transport);
  log(`mcp[${n}]`, 'connected');
  await work(client);
  await client.close();
}

async function callTestTool(client: Client, n: number): Promise<void> {
  const result = await client.callTool({ name: 'test-tool', arguments: {} });
  log(`mcp[${n}]`, `tools/call test-tool: ${JSON.stringify(result.content)}`);
}

export function runReferenceClient(parts: Parts = REFERENCE_PARTS): void {
  const target = readTarget(process.argv, process.env);
  if (!target) {
    log('usage', 'reference-client <mcp url>');
    process.exit(2);
  }
  setTimeout(() => {
    log('failed', `deadline of ${DEADLINE_MS / 1000} s passed`);
    process.exit(1);
  }, DEADLINE_MS).unref();
  run(target, parts).then(
    () => {
      log('done');
      process.exit(0);
    },
    (error: unknown) => {
      if (error instanceof Refusal) log(error.message);
      else log('failed', error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}

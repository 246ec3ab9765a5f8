// The example client under the client contract, so the process-based suite can judge it too:
//   npx mcp-auth-conformance --client examples/vitest/cli.ts
// The MCP server URL is the last argument; MCP_CONFORMANCE_CONTEXT carries pre-registered
// credentials; what the client keeps between starts lives in MCP_CONFORMANCE_STATE_DIR, as an
// application keeps it on disk, so the suite's restarts find it there.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { callTestTool, memoryStore, type CredentialStore, type Credentials } from './client.js';

function fileStore(file: string): CredentialStore {
  return {
    load() {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
      } catch {
        return {};
      }
    },
    save(credentials) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(credentials));
    },
  };
}

/** The credentials the suite hands a client registered in advance, named after the scenario. */
function preRegistered(): { client_id: string; client_secret?: string } | undefined {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return undefined;
  const context = JSON.parse(raw) as { client_id?: unknown; client_secret?: unknown };
  if (typeof context.client_id !== 'string') return undefined;
  return { client_id: context.client_id, ...(typeof context.client_secret === 'string' ? { client_secret: context.client_secret } : {}) };
}

const mcpUrl = process.argv.at(-1);
if (process.argv.length < 3 || !mcpUrl || !/^https?:\/\//.test(mcpUrl)) {
  process.stderr.write('usage: cli <mcp url>\n');
  process.exit(2);
}
const stateDir = process.env.MCP_CONFORMANCE_STATE_DIR;
const store = stateDir ? fileStore(path.join(stateDir, 'vitest-example-client.json')) : memoryStore();

callTestTool(mcpUrl, { store, preRegistered: preRegistered() }).then(
  (tools) => {
    process.stderr.write(`tools: ${tools.join(', ')}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

// Fixed values of the reference client and what it reads from its command line and environment.
import { homedir } from 'node:os';
import path from 'node:path';

export const CLIENT_NAME = 'mcp-auth-conformance reference client';
export const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
// Never listened on: the client reads the code from the Location header that points here.
export const REDIRECT_URI = 'http://127.0.0.1:33418/callback';

/**
 * A run gives up after this long. REFERENCE_CLIENT_DEADLINE_MS raises it for machines so busy that
 * eight copies queueing for one lock need more than the default (a test host running two suites at once).
 */
export const DEADLINE_MS = readDeadline(process.env.REFERENCE_CLIENT_DEADLINE_MS);
/** How long a process waits for the store lock before it gives up; it never goes on without it (RT-C-11). */
export const LOCK_WAIT_MS = DEADLINE_MS / 2;
/** A lock older than any run can be (DEADLINE_MS) belongs to a crashed holder (RT-C-11). */
export const LOCK_STALE_MS = DEADLINE_MS * 1.5;
function readDeadline(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 20_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1_000) throw new Error(`REFERENCE_CLIENT_DEADLINE_MS must be a whole number of milliseconds, at least 1000; got ${JSON.stringify(raw)}`);
  return ms;
}

/** Every request the client makes itself; well below LOCK_STALE_MS, so a live holder never looks stale. */
export const REQUEST_TIMEOUT_MS = 8_000;
/** A token endpoint asking to wait longer than this gets no retry in this run. */
export const RETRY_AFTER_MAX_MS = 5_000;
/** Discovery documents served without Cache-Control are reused this long (DC-C-02), never longer than the cap. */
export const METADATA_DEFAULT_TTL_MS = 60 * 60 * 1000;
export const METADATA_MAX_TTL_MS = 24 * 60 * 60 * 1000;

/** Per run: "no more than a few times" (C-STP-04, FC-C-05). */
export interface Limits {
  /** Interactive authorizations, the first one and every step-up included. */
  authorizations: number;
  /** Step-ups for one (resource, operation), however the challenges are worded. */
  stepUpsPerOperation: number;
  /** Distinct refused tokens the client tries to recover from. */
  recoveries: number;
}

export const LIMITS: Limits = { authorizations: 3, stepUpsPerOperation: 2, recoveries: 5 };

export interface PreRegistration {
  client_id: string;
  client_secret?: string;
}

/** The MCP server this run talks to and where its credentials live. */
export interface Target {
  mcpUrl: URL;
  /** RFC 8707 resource and the store key: the URL as given, without a fragment. */
  resource: string;
  preRegistration?: PreRegistration;
  storeFile: string;
}

/** Credentials a harness hands over; like the official runner's clients, the context must name the scenario being run. */
function readPreRegistration(raw: string | undefined, scenario: string | undefined): PreRegistration | undefined {
  if (!raw) return undefined;
  const context = JSON.parse(raw) as { name?: string; client_id?: string; client_secret?: string };
  if (context.name !== scenario || !context.client_id) return undefined;
  return { client_id: context.client_id, ...(context.client_secret !== undefined ? { client_secret: context.client_secret } : {}) };
}

/** Undefined when the command line names no MCP URL. */
export function readTarget(argv: string[], env: NodeJS.ProcessEnv): Target | undefined {
  const url = argv[argv.length - 1];
  if (argv.length < 3 || !/^https?:\/\//.test(url)) return undefined;
  // Shared by every copy and run of this client (the kit gives each scenario its own directory).
  const stateDir = env.MCP_CONFORMANCE_STATE_DIR || path.join(env.HOME || homedir(), '.mcp-auth-conformance');
  const preRegistration = readPreRegistration(env.MCP_CONFORMANCE_CONTEXT, env.MCP_CONFORMANCE_SCENARIO);
  return {
    mcpUrl: new URL(url),
    resource: url.split('#')[0],
    ...(preRegistration ? { preRegistration } : {}),
    storeFile: path.join(stateDir, 'reference-client', 'credentials.json'),
  };
}

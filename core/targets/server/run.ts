// Runs server scenarios against one MCP server: the kit's issuer first, then the server (started by
// the kit, or found at a URL), then each scenario in turn with its own trace. Scenarios run one at a
// time because the server's calls to the issuer belong to the trace of the scenario that caused
// them. Whatever happens, the server's process group is stopped and the issuer closed before the
// report returns.
import type { Issuer } from '../../../mocks/issuer.js';
import { TraceRecorder } from '../../../mocks/recorder.js';
import { judgeSafely, type CheckDef } from '../../check.js';
import type { CheckResult, Report, ScenarioResult } from '../../report.js';
import { buildReport, kitErrorCheck, resultOf, skipped, type Judgement } from '../../results.js';
import { checksAt, type ServerScenario } from '../../scenario.js';
import type { SpecVersion } from '../../spec.js';
import type { ProcessOutcome, ServerFacts, Trace, WorldFacts } from '../../trace.js';
import { UsageError } from '../../select.js';
import { verdicts } from '../../verdicts.js';
import { ServerDrive } from './drive.js';
import { learnServer } from './learn.js';
import { KIT_ACTOR, Probe } from '../probe.js';
import { mcpRoles } from './json-rpc.js';
import { runTargetProperty } from '../target-property.js';
import { CLI_NAME, shellWord, targetAvailableCheck, tellingLine, type ListeningRunHooks } from '../listening-target.js';
import { freePort, listening, portWasTaken, PORT_ATTEMPTS, startListening, type ListeningProcess } from '../listening-process.js';

/** The id of the engine's own check of a server: it answered every request and kept running. */
export const SERVER_CHECK = 'server-available';

/** How long a server whose requests went unanswered is given to be seen exiting. */
const EXIT_GRACE_MS = 2000;

/** Where a server the kit starts serves MCP, unless told otherwise. */
export const DEFAULT_MCP_PATH = '/mcp';

export type ServerTarget = { url: string } | { command: string; mcpPath?: string };

export interface ServerRunOptions extends ListeningRunHooks {
  target: ServerTarget;
  scenarios: readonly ServerScenario[];
  specVersion: SpecVersion;
  strict: boolean;
  /** How long one request may go unanswered. */
  timeoutMs: number;
  /** How long a started server may take to listen. */
  startTimeoutMs: number;
  tokenFormat: ServerFacts['tokenFormat'];
  /** --tool-scope: scopes the user says a tool needs. */
  toolScopes: Record<string, string[]>;
  /** Scopes the user says every request needs, on top of what the server advertises (--scope). */
  scopes?: string[];
  /** A fixed port for the issuer, so a server already running can be configured with it. */
  asPort?: number;
}

/** The command line that sends a server property's counterexample again. */
export function serverReplayCommand(
  options: Pick<ServerRunOptions, 'target' | 'specVersion' | 'strict' | 'tokenFormat' | 'asPort' | 'toolScopes' | 'scopes'>,
  scenarioId: string,
  seed: number,
  path: string,
): string {
  const target = 'url' in options.target ? ['--url', shellWord(options.target.url)] : ['--command', shellWord(options.target.command)];
  const parts = [CLI_NAME, 'server', ...target, '--scenario', shellWord(scenarioId), '--spec-version', options.specVersion, '--token-format', options.tokenFormat];
  if (options.asPort !== undefined) parts.push('--as-port', String(options.asPort));
  // The valid token of every case carries the scopes these add, so a replay needs them too.
  for (const [tool, scopes] of Object.entries(options.toolScopes)) parts.push('--tool-scope', shellWord(`${tool}=${scopes.join(' ')}`));
  for (const scope of options.scopes ?? []) parts.push('--scope', shellWord(scope));
  parts.push(`--seed=${seed}`, '--replay', path);
  if (options.strict) parts.push('--strict');
  return parts.join(' ');
}

/** The engine's own check: the server answered every request of the scenario and is still running. */
export function serverAvailableCheck(): CheckDef {
  return targetAvailableCheck({ id: SERVER_CHECK, name: 'server', processActor: 'server', requestActors: [KIT_ACTOR] });
}

/** The checks judged for a server scenario: the engine's, then the scenario's at the run's revision. */
export function judgeServer(scenario: ServerScenario, trace: Trace, options: Pick<ServerRunOptions, 'specVersion' | 'strict'>): CheckResult[] {
  const checks = [serverAvailableCheck(), ...checksAt(scenario, options.specVersion)];
  return verdicts(
    checks.map((check) => ({ check, finding: judgeSafely(check, trace) })),
    { strict: options.strict, requires: scenario.requires ?? [], processCheck: SERVER_CHECK },
  );
}

/** The world facts of a server trace: the issuer the server trusts and where the server lives. */
function worldOf(facts: ServerFacts, issuer: Issuer): WorldFacts {
  const origin = new URL(facts.mcpUrl).origin;
  return {
    mcpUrl: facts.mcpUrl,
    canonicalResource: facts.mcpUrl,
    rsOrigin: origin,
    asOrigin: issuer.issuer,
    issuer: issuer.issuer,
    prmUrl: facts.prmUrl,
    asMetadataUrls: [issuer.metadataUrl],
    asMetadataProbeOrder: [issuer.metadataUrl],
    endpoints: { authorize: `${issuer.issuer}/authorize`, token: `${issuer.issuer}/token`, jwks: issuer.jwksUri },
    knobs: { tokenFormat: facts.tokenFormat },
  };
}

/** The environment of a server the kit starts: the contract the README documents. */
export function serverEnvironment(issuer: Issuer, port: number, mcpUrl: string, tokenFormat: string): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    MCP_CONFORMANCE_RESOURCE: mcpUrl,
    MCP_CONFORMANCE_ISSUER: issuer.issuer,
    MCP_CONFORMANCE_AS_METADATA_URL: issuer.metadataUrl,
    MCP_CONFORMANCE_JWKS_URI: issuer.jwksUri,
    MCP_CONFORMANCE_INTROSPECTION_ENDPOINT: issuer.introspectionEndpoint,
    MCP_CONFORMANCE_INTROSPECTION_CLIENT_ID: issuer.introspectionClient.id,
    MCP_CONFORMANCE_INTROSPECTION_CLIENT_SECRET: issuer.introspectionClient.secret,
    MCP_CONFORMANCE_TOKEN_FORMAT: tokenFormat,
    MCP_CONFORMANCE_UPSTREAM_URL: issuer.upstreamUrl,
    MCP_CONFORMANCE_UPSTREAM_TOKEN: issuer.upstreamToken,
  };
}

/** What the server came to before any scenario ran: where it lives, and why it cannot be judged if so. */
interface Started {
  mcpUrl: string;
  process?: ListeningProcess;
  /** The target could not be run: every scenario is skipped with this, and the exit code is 3. */
  failure?: string;
}

async function bringUp(options: ServerRunOptions, issuerFor: (mcpUrl: string) => Promise<Issuer>): Promise<Started & { issuer: Issuer }> {
  if ('url' in options.target) {
    const mcpUrl = options.target.url;
    const issuer = await issuerFor(mcpUrl);
    const url = new URL(mcpUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (!(await listening(port, url.hostname))) return { mcpUrl, issuer, failure: `nothing listens at ${url.host} (${mcpUrl})` };
    return { mcpUrl, issuer };
  }
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const mcpUrl = `http://127.0.0.1:${port}${options.target.mcpPath ?? DEFAULT_MCP_PATH}`;
    const issuer = await issuerFor(mcpUrl);
    const process = startListening({
      actor: 'server',
      command: options.target.command,
      env: { ...globalThis.process.env, ...options.env, ...serverEnvironment(issuer, port, mcpUrl, options.tokenFormat) },
      host: '127.0.0.1',
      port,
      startTimeoutMs: options.startTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const readiness = await process.ready;
    if (readiness.ready) return { mcpUrl, issuer, process };
    const outcome = await process.stop();
    if (attempt < PORT_ATTEMPTS && portWasTaken(outcome)) {
      await issuer.close();
      continue;
    }
    const said = tellingLine(outcome.stderrTail) || tellingLine(outcome.stdoutTail);
    return { mcpUrl, issuer, process, failure: `the server ${readiness.reason}${said ? `; it said: ${said}` : ''}` };
  }
}

export async function runServerScenarios(options: ServerRunOptions): Promise<Report> {
  const startedAt = new Date();
  const began = performance.now();
  // Loaded on demand: the issuer brings MSW, which `list` and `--help` have no use for.
  const { startIssuer, FIXED_INTROSPECTION_CLIENT } = await import('../../../mocks/issuer.js');
  const results: ScenarioResult[] = [];
  let issuer: Issuer | undefined;
  let started: Started | undefined;
  let stoppedEarly: string | undefined;
  let couldNotRun = false;
  const interrupted = (): boolean => options.signal?.aborted === true;
  const target: Report['target'] = 'url' in options.target ? { url: options.target.url } : { command: options.target.command };

  try {
    const up = await bringUp(options, async (mcpUrl) => {
      try {
        // A server started before the run cannot be handed fresh credentials: it gets the documented ones.
        const fixed = 'url' in options.target ? { introspectionClient: FIXED_INTROSPECTION_CLIENT } : {};
        issuer = await startIssuer({ resource: mcpUrl, ...fixed, ...(options.asPort !== undefined ? { port: options.asPort } : {}) });
      } catch (error) {
        // Only a port the user chose can be taken; that is their configuration, said in one line.
        if (options.asPort === undefined) throw error;
        throw new UsageError(`cannot run the kit's authorization server on --as-port ${options.asPort}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      return issuer;
    });
    started = up;
    target.url = up.mcpUrl;
    if (up.failure !== undefined) {
      couldNotRun = true;
      stoppedEarly = up.failure;
    } else {
      const facts = await learnServer({
        issuer: up.issuer,
        mcpUrl: up.mcpUrl,
        started: 'url' in options.target ? 'url' : 'command',
        tokenFormat: options.tokenFormat,
        toolScopes: options.toolScopes,
        scopes: options.scopes ?? [],
        timeoutMs: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for (const scenario of options.scenarios) {
        if (!scenario.specVersions.includes(options.specVersion)) {
          results.push(skipped(scenario, options.specVersion, `not applicable at spec version ${options.specVersion} (applies at ${scenario.specVersions.join(', ')})`));
          options.onScenarioFinish?.(results.at(-1)!);
          continue;
        }
        if (interrupted() || stoppedEarly !== undefined) break;
        options.onScenarioStart?.(scenario.id);
        const result = scenario.property ? await runProperty(scenario, up.issuer, facts, up.process, options) : await runOnce(scenario, up.issuer, facts, up.process, options);
        if (interrupted()) break;
        results.push(result);
        options.onScenarioFinish?.(result);
        if (up.process && !up.process.running()) stoppedEarly = `the server process ended during ${scenario.id}`;
      }
    }
  } finally {
    await started?.process?.stop();
    await issuer?.close();
  }

  const reason = stoppedEarly !== undefined ? `not run: ${stoppedEarly}` : 'interrupted';
  const scenarios = options.scenarios.map((scenario) => results.find((r) => r.id === scenario.id) ?? skipped(scenario, options.specVersion, reason));
  return buildReport({
    role: 'server',
    target,
    specVersion: options.specVersion,
    strict: options.strict,
    startedAt,
    began,
    interrupted: interrupted(),
    ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
    scenarios,
    couldNotRun,
  });
}

/** One attempt: a fresh trace, the scenario's requests (or one property case), the verdicts. */
async function attempt(
  scenario: ServerScenario,
  issuer: Issuer,
  facts: ServerFacts,
  process: ListeningProcess | undefined,
  options: ServerRunOptions,
  send: (drive: ServerDrive) => Promise<void>,
): Promise<Judgement & { trace?: Trace }> {
  const recorder = new TraceRecorder();
  issuer.recordInto(recorder);
  const startedAt = new Date().toISOString();
  const probe = new Probe(recorder, { baseUrl: facts.mcpUrl, roleOf: mcpRoles(facts.mcpUrl), timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const drive = new ServerDrive(probe, issuer, facts, options.specVersion, options.signal);
  const world = worldOf(facts, issuer);
  try {
    await send(drive);
  } catch (error) {
    return { checks: [kitErrorCheck(`the kit could not run this scenario: ${(error as Error)?.message ?? String(error)}`)], processes: [], world, exchanges: recorder.exchanges };
  }
  // A request that got no answer may mean the server is dying: give its exit a moment to be seen, so
  // the verdict says the process ended rather than only that a connection failed.
  if (process?.running() && recorder.exchanges.some((e) => e.actor === 'kit' && e.error !== undefined)) {
    await Promise.race([process.ended, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS))]);
  }
  const processes: ProcessOutcome[] = process && !process.running() ? [process.outcome()] : [];
  const trace: Trace = { scenario: scenario.id, specVersion: options.specVersion, startedAt, world, exchanges: recorder.exchanges, events: recorder.events, processes, server: facts };
  return { checks: judgeServer(scenario, trace, options), processes, world, exchanges: recorder.exchanges, trace };
}

async function runOnce(scenario: ServerScenario, issuer: Issuer, facts: ServerFacts, process: ListeningProcess | undefined, options: ServerRunOptions): Promise<ScenarioResult> {
  const began = performance.now();
  const run = await attempt(scenario, issuer, facts, process, options, (drive) => scenario.drive?.(drive) ?? Promise.resolve());
  if (run.trace) options.onTrace?.(scenario.id, run.trace);
  return resultOf(scenario, options.specVersion, Math.round(performance.now() - began), run);
}

function runProperty(scenario: ServerScenario, issuer: Issuer, facts: ServerFacts, process: ListeningProcess | undefined, options: ServerRunOptions): Promise<ScenarioResult> {
  const property = scenario.property!;
  return runTargetProperty({
    scenario,
    property,
    specVersion: options.specVersion,
    ...(options.property ? { options: options.property } : {}),
    attempt: (value) => attempt(scenario, issuer, facts, process, options, (drive) => property.send(drive, value)),
    replay: (seed, path) => serverReplayCommand(options, scenario.id, seed, path),
    stop: () => options.signal?.aborted === true || (process !== undefined && !process.running()),
    interrupted: () => options.signal?.aborted === true,
    ...(options.onTrace ? { onTrace: options.onTrace } : {}),
  });
}

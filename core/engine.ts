// Schedules client scenarios: for each, a fresh world, one client process, a trace, and the
// verdicts of the scenario's checks. Whatever happens (a throwing world, Ctrl-C, a client that
// will not die), every process group is killed and every world closed before the report returns.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TraceRecorder } from '../mocks/recorder.js';
import type { World, WorldOptions } from '../mocks/world.js';
import type { WorldKnobs } from '../mocks/knobs.js';
import { judgeSafely, met, missing, statusOf, unmet, type CheckDef } from './check.js';
import { createClientKit, prepareStateDir, type ClientKit, type ClientProcess } from './client-process.js';
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type CheckResult, type ExitCode, type Report, type ScenarioResult } from './report.js';
import type { ClientScenario } from './scenario.js';
import { SPEC_VERSIONS, type SpecVersion } from './spec.js';
import { exitCodeOf, summarize } from './summary.js';
import type { ProcessOutcome, Trace } from './trace.js';

/** The one client instance of a single-process scenario; also the world's default actor. */
const FIRST_CLIENT = 'client-1';

export interface ClientRunOptions {
  /** The client command; the MCP URL is appended as its last argument. */
  command: string;
  scenarios: readonly ClientScenario[];
  specVersion: SpecVersion;
  /** How many scenarios run at once. */
  jobs: number;
  /** Per client process. */
  timeoutMs: number;
  strict: boolean;
  /** Aborting stops the run: running clients are killed, what finished is reported. */
  signal?: AbortSignal;
  onScenarioStart?: (id: string) => void;
  /** Called for every result, including scenarios skipped without starting. */
  onScenarioFinish?: (result: ScenarioResult) => void;
  /**
   * Called with the trace of every scenario that ran to judgement, before its checks judge it: the
   * report keeps exchanges but not process events, and saved traces must be judged again exactly.
   */
  onTrace?: (scenarioId: string, trace: Trace) => void;
  /**
   * Where per-scenario state directories live. Given: they are kept, so successive runs share them.
   * Absent: they go in the run's temporary directory, removed at the end.
   */
  stateRoot?: string;
  /** Keep the run's temporary directory (state, browser shims) instead of removing it. */
  keepTemp?: boolean;
  /** Builds each scenario's world; the kit's mock world unless a test supplies another. */
  startWorld?: (knobs: WorldKnobs, options: WorldOptions) => Promise<World>;
}

let cachedTool: Report['tool'] | undefined;

/** Name and version from the package manifest, found from source (core/) and from the build (dist/core/). */
export function toolInfo(): Report['tool'] {
  if (cachedTool) return cachedTool;
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'mcp-auth-conformance' && manifest.version) {
        cachedTool = { name: manifest.name, version: manifest.version };
        return cachedTool;
      }
    } catch {
      // not at this level; try the next one up
    }
  }
  cachedTool = { name: 'mcp-auth-conformance', version: '0.0.0' };
  return cachedTool;
}

/** The engine's own check: the client ran to completion. A pure function of the trace like any other. */
export function clientProcessCheck(clientRefuses: boolean): CheckDef {
  return {
    id: 'client-process',
    title: 'client process exits 0 within the timeout',
    requirements: [],
    level: 'MUST',
    specVersions: [...SPEC_VERSIONS],
    specLinks: [],
    judge: (trace) => {
      const outcome = trace.processes[0];
      if (!outcome) return missing('no client process was started');
      const stderr = tellingLine(outcome.stderrTail);
      const said = stderr ? `; on stderr: ${stderr}` : '';
      if (outcome.spawnError) return missing(`the client could not be started: ${outcome.spawnError}`);
      if (outcome.timedOut) return missing(`the client was still running after the ${timeoutOf(trace)} timeout and was killed${said}`);
      if (outcome.exitCode === 0) return met(`the client exited 0 after ${outcome.durationMs} ms`);
      const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
      if (clientRefuses) return met(`the client ${how} after ${outcome.durationMs} ms, as a client that refuses to go on here may`);
      return unmet(`the client ${how} after ${outcome.durationMs} ms${said}`, []);
    },
  };
}

function timeoutOf(trace: Trace): string {
  const event = trace.events.find((e) => e.kind === 'timeout');
  const ms = event?.detail?.timeoutMs;
  return typeof ms === 'number' ? `${ms} ms` : 'configured';
}

/**
 * The line of a crash that says what went wrong: the last one mentioning an error (runtimes end a
 * crash with a version banner or a hint), else the last line.
 */
function tellingLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.findLast((l) => /error|exception|panic|fatal/i.test(l) && !/^at\s/.test(l)) ?? lines.at(-1) ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function checkResult(check: CheckDef, trace: Trace, strict: boolean): CheckResult {
  const finding = judgeSafely(check, trace);
  return {
    id: check.id,
    title: check.title,
    requirements: check.requirements,
    level: check.level,
    specVersions: check.specVersions,
    specLinks: check.specLinks,
    status: statusOf(finding, check.level, strict),
    message: finding.message,
    evidence: 'evidence' in finding ? (finding.evidence ?? []) : [],
  };
}

function skipped(scenario: ClientScenario, protocolVersion: string, skipReason: string, extra: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    id: scenario.id,
    title: scenario.title,
    description: scenario.description,
    status: 'skip',
    skipReason,
    protocolVersion,
    durationMs: 0,
    processes: [],
    checks: [],
    exchanges: [],
    ...extra,
  };
}

/**
 * The target could not be run at all: every scenario that started a process saw it fail to start
 * (sh's 126/127 without a single request counts; the process driver reports those as spawn errors).
 */
export function targetCouldNotRun(scenarios: readonly ScenarioResult[]): boolean {
  const ran = scenarios.filter((s) => s.status !== 'skip' && s.processes.length > 0);
  return ran.length > 0 && ran.every((s) => s.processes.every((p: ProcessOutcome) => p.spawnError !== undefined));
}

/** Runs the scenarios and returns the report. Never rejects for a scenario's sake; kit errors become failures. */
export async function runClientScenarios(options: ClientRunOptions): Promise<Report> {
  const startedAt = new Date();
  const began = performance.now();
  // Loaded on demand: the world brings MSW, which `list` and `--help` have no use for.
  const startWorld = options.startWorld ?? (await import('../mocks/world.js')).startWorld;
  const signal = options.signal;
  const results: Array<ScenarioResult | undefined> = new Array(options.scenarios.length);
  const running = new Set<ClientProcess>();
  const worlds = new Set<World>();
  let interrupted = signal?.aborted ?? false;

  const onAbort = (): void => {
    interrupted = true;
    for (const client of running) client.stop('the run was interrupted');
    // A world still starting is closed by its scenario once it is up.
    for (const world of worlds) void world.close().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  const runDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-auth-conformance-'));
  const stateRoot = options.stateRoot ?? path.join(runDir, 'state');
  let kit: ClientKit | undefined;
  try {
    kit = await createClientKit(runDir);
    if (options.stateRoot) await mkdir(options.stateRoot, { recursive: true });

    const pending: number[] = [];
    options.scenarios.forEach((scenario, index) => {
      const protocolVersion = scenario.protocolVersion ?? options.specVersion;
      if (!scenario.specVersions.includes(options.specVersion)) {
        const result = skipped(scenario, protocolVersion, `not applicable at spec version ${options.specVersion} (applies at ${scenario.specVersions.join(', ')})`);
        results[index] = result;
        options.onScenarioFinish?.(result);
      } else {
        pending.push(index);
      }
    });

    const context: ScenarioContext = {
      options,
      kit,
      startWorld,
      stateRoot,
      running,
      worlds,
      isInterrupted: () => interrupted,
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!interrupted && next < pending.length) {
        const index = pending[next++];
        const scenario = options.scenarios[index];
        options.onScenarioStart?.(scenario.id);
        const result = await runScenario(scenario, context);
        results[index] = result;
        options.onScenarioFinish?.(result);
      }
    };
    const jobs = Math.max(1, Math.min(Math.floor(options.jobs) || 1, pending.length));
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await kit?.close();
    await Promise.all([...worlds].map((world) => world.close().catch(() => undefined)));
    if (!options.keepTemp) await rm(runDir, { recursive: true, force: true }).catch(() => undefined);
  }

  const scenarios = options.scenarios.map(
    (scenario, index) => results[index] ?? skipped(scenario, scenario.protocolVersion ?? options.specVersion, 'interrupted'),
  );
  const counts = summarize(scenarios);
  const decided: ExitCode = targetCouldNotRun(scenarios) ? 3 : 0;
  const summary: Report['summary'] = { ...counts, exitCode: decided };
  summary.exitCode = exitCodeOf({ scenarios, summary });
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: toolInfo(),
    role: 'client',
    target: { command: options.command },
    specVersion: options.specVersion,
    strict: options.strict,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - began),
    interrupted,
    summary,
    scenarios,
  };
}

interface ScenarioContext {
  options: ClientRunOptions;
  kit: ClientKit;
  startWorld: NonNullable<ClientRunOptions['startWorld']>;
  stateRoot: string;
  running: Set<ClientProcess>;
  worlds: Set<World>;
  isInterrupted: () => boolean;
}

function stateDirName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
}

async function runScenario(scenario: ClientScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { options } = ctx;
  const protocolVersion = scenario.protocolVersion ?? options.specVersion;
  const recorder = new TraceRecorder();
  const startedAt = new Date().toISOString();
  const began = performance.now();
  const elapsed = (): number => Math.round(performance.now() - began);
  let world: World | undefined;
  let client: ClientProcess | undefined;
  try {
    world = await ctx.startWorld(scenario.world, { recorder, defaultActor: FIRST_CLIENT });
    ctx.worlds.add(world);
    if (ctx.isInterrupted()) return skipped(scenario, protocolVersion, 'interrupted', { durationMs: elapsed() });

    const stateDir = path.join(ctx.stateRoot, stateDirName(scenario.id));
    await prepareStateDir(stateDir);
    const clientContext = scenario.context?.(world.facts);
    client = ctx.kit.launch({
      command: options.command,
      actor: FIRST_CLIENT,
      recorder,
      world: { facts: world.facts, origins: world.origins },
      scenario: scenario.id,
      protocolVersion,
      ...(clientContext ? { context: clientContext } : {}),
      stateDir,
      timeoutMs: options.timeoutMs,
    });
    ctx.running.add(client);
    // An abort that landed between the check above and the launch must still reach this client.
    if (ctx.isInterrupted()) client.stop('the run was interrupted');
    const outcome = await client.finished;
    ctx.running.delete(client);
    await world.close();
    ctx.worlds.delete(world);

    if (ctx.isInterrupted()) {
      return skipped(scenario, protocolVersion, 'interrupted', { durationMs: elapsed(), processes: [outcome], world: world.facts, exchanges: recorder.exchanges });
    }

    const trace: Trace = {
      scenario: scenario.id,
      specVersion: options.specVersion,
      startedAt,
      world: world.facts,
      exchanges: recorder.exchanges,
      events: recorder.events,
      processes: [outcome],
    };
    options.onTrace?.(scenario.id, trace);
    const applicable = scenario.checks.filter((check) => check.specVersions.includes(options.specVersion));
    const checks = [clientProcessCheck(scenario.clientRefuses === true), ...applicable].map((check) => checkResult(check, trace, options.strict));
    return {
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      status: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass',
      protocolVersion,
      durationMs: elapsed(),
      processes: [outcome],
      checks,
      world: world.facts,
      exchanges: recorder.exchanges,
    };
  } catch (error) {
    if (ctx.isInterrupted()) return skipped(scenario, protocolVersion, 'interrupted', { durationMs: elapsed() });
    // A kit bug (the world failed to start, a context builder threw): the scenario fails and says why.
    const message = `the kit could not run this scenario: ${(error as Error)?.message ?? String(error)}`;
    return {
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      status: 'fail',
      protocolVersion,
      durationMs: elapsed(),
      processes: [],
      checks: [
        {
          id: 'kit-error',
          title: 'the kit runs the scenario',
          requirements: [],
          level: 'MUST',
          specVersions: [...SPEC_VERSIONS],
          specLinks: [],
          status: 'fail',
          message,
          evidence: [],
        },
      ],
      ...(world ? { world: world.facts } : {}),
      exchanges: recorder.exchanges,
    };
  } finally {
    if (client) {
      client.stop('the scenario ended');
      await client.finished;
      ctx.running.delete(client);
    }
    if (world) {
      await world.close().catch(() => undefined);
      ctx.worlds.delete(world);
    }
  }
}

// Schedules client scenarios: for each, a fresh world, the client processes of its runs, a trace,
// and the verdicts of the scenario's checks; a property scenario does this once per drawn case.
// Whatever happens (a throwing world, Ctrl-C, a client that will not die), every process group is
// killed and every world closed before the report returns.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TraceRecorder } from '../mocks/recorder.js';
import type { World, WorldOptions } from '../mocks/world.js';
import { mergeKnobs, type WorldKnobs } from '../mocks/knobs.js';
import { judgeSafely, met, missing, unmet, type CheckDef, type Finding } from './check.js';
import { createClientKit, endScenarioLeftovers, prepareStateDir, shellQuote, type ClientKit, type ClientProcess } from './targets/client/process.js';
import { caseKey, checkProperty, freshSeed, type PropertyOutcome } from './property.js';
import type { CheckResult, PropertyResult, Report, ScenarioResult } from './report.js';
import { checksAt, type ClientRun, type ClientScenario } from './scenario.js';
import { SocketOwnerLookup } from './targets/socket-owner.js';
import { SPEC_VERSIONS, type SpecVersion } from './spec.js';
import { buildReport, kitErrorCheck, resultOf, skipped, toolInfo } from './results.js';
import { verdicts } from './verdicts.js';

export { toolInfo };
import type { Exchange, ProcessOutcome, RunRecord, Trace, WorldFacts } from './trace.js';

/** The id of the engine's own check; a failure of it is the root cause of every step it left undone. */
export const PROCESS_CHECK = 'client-process';

/** The one client instance of a single-process scenario; also the world's default actor. */
const FIRST_CLIENT = 'client-1';

/** What a scenario without `runs` does: start the client once. */
export const DEFAULT_RUNS: readonly ClientRun[] = [{ label: 'run', instances: 1 }];

/** The name of the command users type; the replay line of a counterexample starts with it. */
const CLI_NAME = 'mcp-auth-conformance';

/** --runs, --seed and --replay: how property scenarios are searched. Other scenarios ignore them. */
export interface PropertyOptions {
  /** Cases per property scenario; the scenario's defaultRuns when absent. */
  runs?: number;
  /** fast-check seed; a fresh one (reported) when absent. */
  seed?: number;
  /** fast-check path of a counterexample to run first; needs the seed it was found with. */
  replay?: string;
  /** Shrink a counterexample (default); false reports the first failing case as drawn, sooner. */
  shrink?: boolean;
}

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
   * For a property scenario: the trace of the case it reports (the counterexample, or the last case).
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
  property?: PropertyOptions;
}


// ---------------------------------------------------------------------------------------------
// The engine's own check: every client process ran to completion.

/** Where a process belongs, for messages: `client-3 (run 2 "racing copies")`. */
function processName(outcome: ProcessOutcome, run: RunRecord | undefined): string {
  return run ? `${outcome.actor} (run ${run.index + 1} "${run.label}")` : outcome.actor;
}

/** One process against the contract: exit 0 within the timeout, or any exit where refusing is correct. */
function processFinding(outcome: ProcessOutcome, trace: Trace, refuses: boolean, who: string): Finding {
  const stderr = tellingLine(outcome.stderrTail);
  const said = stderr ? `; on stderr: ${stderr}` : '';
  if (outcome.spawnError) return missing(`${who} could not be started: ${outcome.spawnError}`);
  if (outcome.timedOut) return missing(`${who} was still running after the ${timeoutOf(trace, outcome.actor)} timeout and was killed${said}`);
  if (outcome.exitCode === 0) return met(`${who} exited 0 after ${outcome.durationMs} ms`);
  const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.exitCode}`;
  if (refuses) return met(`${who} ${how} after ${outcome.durationMs} ms, as a client that refuses to go on here may`);
  return unmet(`${who} ${how} after ${outcome.durationMs} ms${said}`, []);
}

/**
 * The engine's own check: every client process ran to completion. A pure function of the trace like
 * any other. `clientRefuses` is the scenario's; a run's own flag (trace.runs) covers its processes.
 */
export function clientProcessCheck(clientRefuses: boolean): CheckDef {
  return {
    id: PROCESS_CHECK,
    title: 'client process exits 0 within the timeout',
    requirements: [],
    level: 'MUST',
    specVersions: [...SPEC_VERSIONS],
    specLinks: [],
    judge: (trace) => {
      const runs = trace.runs ?? [];
      if (trace.processes.length === 0) return missing('no client process was started');
      const runOf = (outcome: ProcessOutcome): RunRecord | undefined => runs.find((run) => run.actors.includes(outcome.actor));
      const refuses = (outcome: ProcessOutcome): boolean => clientRefuses || runOf(outcome)?.clientRefuses === true;
      // One process in one run: the message of a plain scenario, which names no run.
      if (trace.processes.length === 1 && runs.length <= 1) {
        const [outcome] = trace.processes;
        return processFinding(outcome, trace, refuses(outcome), 'the client');
      }
      const findings = trace.processes.map((outcome) => processFinding(outcome, trace, refuses(outcome), processName(outcome, runOf(outcome))));
      const bad = findings.filter((f) => f.outcome !== 'met');
      const count = trace.processes.length;
      if (bad.length === 0) return met(`all ${count} client processes ended as they should: ${findings.map((f) => f.message).join('; ')}`);
      const message = `${bad.length} of ${count} client processes did not end as they should: ${bad.map((f) => f.message).join('; ')}`;
      return bad.some((f) => f.outcome === 'missing') ? missing(message) : unmet(message, []);
    },
  };
}

function timeoutOf(trace: Trace, actor: string): string {
  const event = trace.events.find((e) => e.kind === 'timeout' && e.actor === actor) ?? trace.events.find((e) => e.kind === 'timeout');
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

/** The engine's process check, then the scenario's checks that apply at the run's revision. */
export function judge(scenario: ClientScenario, trace: Trace, options: Pick<ClientRunOptions, 'specVersion' | 'strict'>): CheckResult[] {
  const checks = [clientProcessCheck(scenario.clientRefuses === true), ...checksAt(scenario, options.specVersion)];
  return verdicts(
    checks.map((check) => ({ check, finding: judgeSafely(check, trace) })),
    { strict: options.strict, requires: scenario.requires ?? [], processCheck: PROCESS_CHECK, exitExplainedBy: scenario.exitExplainedBy ?? [] },
  );
}



/**
 * The target could not be run at all: every scenario that started a process saw it fail to start
 * (sh's 126/127 without a single request counts; the process driver reports those as spawn errors).
 */
export function targetCouldNotRun(scenarios: readonly ScenarioResult[]): boolean {
  const ran = scenarios.filter((s) => s.status !== 'skip' && s.processes.length > 0);
  return ran.length > 0 && ran.every((s) => s.processes.every((p: ProcessOutcome) => p.spawnError !== undefined));
}

/**
 * After this many scenarios have ended, the run stops if every one of them timed out without the
 * client sending a single request: a client that never contacts the world would otherwise hang
 * every remaining scenario to its timeout. Only timeouts count: a client that exits at once costs
 * nothing, and may simply not know a scenario's name.
 */
export const SILENT_SCENARIOS_BEFORE_STOPPING = 2;

/** The client process timed out in a scenario where it sent the world nothing at all. */
function silentTimeout(result: ScenarioResult): boolean {
  return result.status !== 'skip' && result.processes.length > 0 && result.processes.some((p) => p.timedOut) && !result.exchanges.some((e) => e.actor !== 'browser');
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
  // Wakes whatever waits between copies' start offsets; the signal itself is the user's.
  const stopping = new AbortController();
  let interrupted = signal?.aborted ?? false;
  if (interrupted) stopping.abort();
  /** Why the run stopped on its own before every scenario ran. */
  let stoppedEarly: string | undefined;
  const ended: ScenarioResult[] = [];

  const onAbort = (): void => {
    interrupted = true;
    stopping.abort();
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
      stopped: stopping.signal,
      isInterrupted: () => interrupted || stoppedEarly !== undefined,
      stopReason: () => (stoppedEarly !== undefined ? `not run: ${stoppedEarly}` : 'interrupted'),
    };
    const stopIfSilent = (result: ScenarioResult): void => {
      ended.push(result);
      if (stoppedEarly !== undefined || ended.length !== Math.min(SILENT_SCENARIOS_BEFORE_STOPPING, pending.length) || !ended.every(silentTimeout)) return;
      stoppedEarly = `the client sent no request at all in the first ${ended.length} scenarios (${ended.map((r) => r.id).join(', ')}) and was killed at the timeout each time, so the run stopped`;
      stopping.abort();
      for (const client of running) client.stop('the run stopped: the client never contacted the world');
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!context.isInterrupted() && next < pending.length) {
        const index = pending[next++];
        const scenario = options.scenarios[index];
        options.onScenarioStart?.(scenario.id);
        const result = scenario.property ? await runPropertyScenario(scenario, context) : await runScenario(scenario, context);
        results[index] = result;
        options.onScenarioFinish?.(result);
        stopIfSilent(result);
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

  const notRun = stoppedEarly !== undefined ? `not run: ${stoppedEarly}` : 'interrupted';
  const scenarios = options.scenarios.map((scenario, index) => results[index] ?? skipped(scenario, scenario.protocolVersion ?? options.specVersion, notRun));
  return buildReport({
    role: 'client',
    target: { command: options.command },
    specVersion: options.specVersion,
    strict: options.strict,
    startedAt,
    began,
    interrupted,
    ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
    scenarios,
    couldNotRun: stoppedEarly !== undefined || targetCouldNotRun(scenarios),
  });
}

interface ScenarioContext {
  options: ClientRunOptions;
  kit: ClientKit;
  startWorld: NonNullable<ClientRunOptions['startWorld']>;
  stateRoot: string;
  running: Set<ClientProcess>;
  worlds: Set<World>;
  /** Aborted with the run. */
  stopped: AbortSignal;
  /** True once the user interrupted the run or it stopped on its own (stopReason says which). */
  isInterrupted: () => boolean;
  /** The skip reason of a scenario cut short. */
  stopReason: () => string;
}

function stateDirName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
}

// ---------------------------------------------------------------------------------------------
// Who sent a request. One copy at a time: whoever is running. Several at once: the kernel knows.

/**
 * Names the actor of each client connection for the world. While at most one copy runs, that copy
 * sent it (or, with none running, the current run's only instance). While several run at once, the
 * owner of the connection's client socket is looked up in /proc among the running copies' process
 * groups; what cannot be found is put down to the run's first instance with a `?` (`client-2?`), so
 * a check can tell a guess from a fact.
 *
 * Cost: the lookup reads /proc/net/tcp, lists /proc, and reads the fd links of the candidate
 * processes, the group leaders first. Measured at about 0.5 ms per connection with two racing node
 * clients on a machine running ~70 processes (2 cores), and about 1.5 ms with ~400 processes; it
 * grows with the number of processes on the machine and the copies' open descriptors. Keep-alive
 * connections pay it once.
 */
class Attribution {
  private run: { firstActor: string; instances: number } | undefined;
  /** Running copies, in start order: actor -> process group (the leader's pid). */
  private readonly live = new Map<string, number | undefined>();
  private readonly sockets = new SocketOwnerLookup();

  beginRun(actors: readonly string[]): void {
    this.run = { firstActor: actors[0] ?? FIRST_CLIENT, instances: actors.length };
  }

  started(actor: string, pgid: number | undefined): void {
    this.live.set(actor, pgid);
  }

  ended(actor: string): void {
    this.live.delete(actor);
  }

  readonly actorOf = (remotePort: number, localPort: number): string | undefined => {
    const run = this.run;
    if (!run) return FIRST_CLIENT;
    const guess = `${run.firstActor}?`;
    if (this.live.size === 1) return [...this.live.keys()][0];
    if (this.live.size === 0) return run.instances === 1 ? run.firstActor : guess;
    const byGroup = new Map<number, string>();
    for (const [actor, pgid] of this.live) if (pgid !== undefined) byGroup.set(pgid, actor);
    try {
      const owner = this.sockets.find(remotePort, localPort, new Set(byGroup.keys()));
      return (owner && byGroup.get(owner.group)) ?? guess;
    } catch {
      return guess;
    }
  };
}

// ---------------------------------------------------------------------------------------------
// One world, its runs, their processes: a plain scenario, or one case of a property scenario.

interface Plan {
  knobs: WorldKnobs;
  runs: readonly ClientRun[];
  stateDir: string;
  /** Empty the state directory first (each property case starts from nothing). */
  fresh: boolean;
}

/** What one world and its runs came to, judged unless interrupted or broken by a kit error. */
interface Attempt {
  interrupted: boolean;
  /** Absent when the kit failed before the runs finished. */
  trace?: Trace;
  checks: CheckResult[];
  processes: ProcessOutcome[];
  world?: WorldFacts;
  exchanges: Exchange[];
}

/** Resolves after `ms`, or at once when the run is stopped. */
function pause(ms: number, stopped: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || stopped.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      stopped.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stopped.addEventListener('abort', done, { once: true });
  });
}

/**
 * Starts a world, runs the plan's runs against it one after another, and judges the trace. Kit
 * errors become a failing `kit-error` check; an interruption is reported as such, unjudged.
 */
async function attempt(scenario: ClientScenario, plan: Plan, ctx: ScenarioContext, beforeJudging?: (trace: Trace) => void): Promise<Attempt> {
  const { options } = ctx;
  const protocolVersion = scenario.protocolVersion ?? options.specVersion;
  const recorder = new TraceRecorder();
  const startedAt = new Date().toISOString();
  const attribution = new Attribution();
  const outcomes: ProcessOutcome[] = [];
  const records: RunRecord[] = [];
  const launched = new Set<ClientProcess>();
  let world: World | undefined;
  let firstFacts: WorldFacts | undefined;
  try {
    world = await ctx.startWorld(plan.knobs, { recorder, defaultActor: FIRST_CLIENT, actorOf: attribution.actorOf });
    ctx.worlds.add(world);
    if (ctx.isInterrupted()) return { interrupted: true, checks: [], processes: [], exchanges: [] };

    if (plan.fresh) await rm(plan.stateDir, { recursive: true, force: true });
    await prepareStateDir(plan.stateDir);

    let knobsNow = plan.knobs;
    let actorCount = 0;
    for (const [index, run] of plan.runs.entries()) {
      if (ctx.isInterrupted()) break;
      if (run.world) {
        knobsNow = mergeKnobs(knobsNow, run.world);
        await world.reconfigure(knobsNow);
      }
      if (run.expireTokens) world.expireAccessTokens();
      if (run.revokeRefreshTokens) world.revokeRefreshTokens();
      const facts = world.facts;
      const origins = world.origins;
      firstFacts ??= facts;
      // Built from the world as this run finds it: a reconfiguration may have changed what it names.
      // As the official runner does: the scenario's id as the context's name, for discriminated parsing.
      const clientContext = scenario.context ? { name: scenario.id, ...scenario.context(facts) } : undefined;
      const instances = Math.max(1, Math.floor(run.instances ?? 1));
      const actors = Array.from({ length: instances }, () => `client-${++actorCount}`);
      attribution.beginRun(actors);
      const runStartedAt = recorder.now();

      const copy = async (actor: string, offsetMs: number): Promise<ProcessOutcome | undefined> => {
        await pause(offsetMs, ctx.stopped);
        if (ctx.isInterrupted()) return undefined;
        const client = ctx.kit.launch({
          command: options.command,
          actor,
          recorder,
          world: { facts, origins },
          scenario: scenario.id,
          protocolVersion,
          ...(clientContext ? { context: clientContext } : {}),
          stateDir: plan.stateDir,
          timeoutMs: options.timeoutMs,
        });
        // Known before the client can connect: spawning returns before the event loop runs again.
        attribution.started(actor, client.pid);
        launched.add(client);
        ctx.running.add(client);
        // An abort that landed between the check above and the launch must still reach this client.
        if (ctx.isInterrupted()) client.stop('the run was interrupted');
        const outcome = await client.finished;
        ctx.running.delete(client);
        launched.delete(client);
        attribution.ended(actor);
        return outcome;
      };
      const finished = await Promise.all(actors.map((actor, i) => copy(actor, run.startOffsetsMs?.[i] ?? 0)));
      outcomes.push(...finished.filter((o): o is ProcessOutcome => o !== undefined));
      records.push({
        index,
        label: run.label,
        actors,
        startedAt: runStartedAt,
        endedAt: recorder.now(),
        knobs: knobsNow,
        expiredTokens: run.expireTokens === true,
        ...(run.revokeRefreshTokens ? { revokedRefreshTokens: true } : {}),
        clientRefuses: run.clientRefuses === true || scenario.clientRefuses === true,
      });
    }
    await world.close();
    ctx.worlds.delete(world);
    const facts = firstFacts ?? world.facts;

    if (ctx.isInterrupted()) return { interrupted: true, checks: [], processes: outcomes, world: facts, exchanges: recorder.exchanges };

    const trace: Trace = {
      scenario: scenario.id,
      specVersion: options.specVersion,
      startedAt,
      world: facts,
      exchanges: recorder.exchanges,
      events: recorder.events,
      processes: outcomes,
      runs: records,
    };
    beforeJudging?.(trace);
    return { interrupted: false, trace, checks: judge(scenario, trace, options), processes: outcomes, world: facts, exchanges: recorder.exchanges };
  } catch (error) {
    if (ctx.isInterrupted()) return { interrupted: true, checks: [], processes: outcomes, exchanges: recorder.exchanges };
    // A kit bug (the world failed to start, a context builder threw): the attempt fails and says why.
    const message = `the kit could not run this scenario: ${(error as Error)?.message ?? String(error)}`;
    const facts = firstFacts ?? world?.facts;
    return { interrupted: false, checks: [kitErrorCheck(message)], processes: outcomes, ...(facts ? { world: facts } : {}), exchanges: recorder.exchanges };
  } finally {
    for (const client of launched) client.stop('the scenario ended');
    await Promise.all([...launched].map((client) => client.finished));
    for (const client of launched) ctx.running.delete(client);
    // Each launch ended what escaped it; this catches a process that shed its launch's entry but
    // still names the scenario's state directory. The trace is judged by now, so it is not recorded.
    await endScenarioLeftovers(plan.stateDir);
    if (world) {
      await world.close().catch(() => undefined);
      ctx.worlds.delete(world);
    }
  }
}


function interruptedResult(scenario: ClientScenario, ctx: ScenarioContext, durationMs: number, run: Attempt | undefined, property?: PropertyResult): ScenarioResult {
  // What ran before the interruption stays in the report; a scenario that started nothing says only that.
  const ran = run && run.processes.length > 0 ? { processes: run.processes, ...(run.world ? { world: run.world } : {}), exchanges: run.exchanges } : {};
  return skipped(scenario, scenario.protocolVersion ?? ctx.options.specVersion, ctx.stopReason(), { durationMs, ...ran, ...(property ? { property } : {}) });
}

async function runScenario(scenario: ClientScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { options } = ctx;
  const protocolVersion = scenario.protocolVersion ?? options.specVersion;
  const began = performance.now();
  const elapsed = (): number => Math.round(performance.now() - began);
  const plan: Plan = {
    knobs: scenario.world,
    runs: scenario.runs && scenario.runs.length > 0 ? scenario.runs : DEFAULT_RUNS,
    stateDir: path.join(ctx.stateRoot, stateDirName(scenario.id)),
    fresh: false,
  };
  const run = await attempt(scenario, plan, ctx, (trace) => options.onTrace?.(scenario.id, trace));
  if (run.interrupted) return interruptedResult(scenario, ctx, elapsed(), run);
  return resultOf(scenario, protocolVersion, elapsed(), run);
}

// ---------------------------------------------------------------------------------------------
// Property scenarios: fast-check draws the world and runs, one attempt per case.

/** An argument as a shell reads it back: left bare when it is plainly safe. */
function shellArgument(value: string): string {
  return /^[A-Za-z0-9._/:=@%+-]+$/.test(value) ? value : shellQuote(value);
}

/** The command line that runs a counterexample again: the same client, scenario, revision, seed and path. */
export function replayCommand(options: Pick<ClientRunOptions, 'command' | 'specVersion' | 'strict'>, scenarioId: string, seed: number, replayPath: string): string {
  const parts = [
    CLI_NAME,
    'client',
    '--command',
    shellQuote(options.command),
    '--scenario',
    shellArgument(scenarioId),
    '--spec-version',
    options.specVersion,
    // `=` keeps a negative seed from reading as an option to a shell user's eye and to any parser.
    `--seed=${seed}`,
    '--replay',
    replayPath,
  ];
  // The verdicts on replay are judged at the same level as the run that found the counterexample.
  if (options.strict) parts.push('--strict');
  return parts.join(' ');
}

function describeCase(scenario: ClientScenario, value: unknown): string {
  try {
    return scenario.property!.describe(value);
  } catch {
    return caseKey(value);
  }
}

async function runPropertyScenario(scenario: ClientScenario, ctx: ScenarioContext): Promise<ScenarioResult> {
  const { options } = ctx;
  const property = scenario.property!;
  const protocolVersion = scenario.protocolVersion ?? options.specVersion;
  const began = performance.now();
  const elapsed = (): number => Math.round(performance.now() - began);
  const seed = options.property?.seed ?? freshSeed();
  const runs = options.property?.runs ?? property.defaultRuns;
  const replay = options.property?.replay;
  const caseRoot = path.join(ctx.stateRoot, stateDirName(scenario.id), 'cases');
  let cases = 0;

  let outcome: PropertyOutcome<unknown, Attempt>;
  try {
    outcome = await checkProperty<unknown, Attempt>(
      property,
      { runs, seed, ...(replay !== undefined ? { path: replay } : {}), ...(options.property?.shrink === false ? { shrink: false } : {}) },
      async (value) => {
        let run: Attempt;
        try {
          const built = property.build(value);
          const plan: Plan = {
            knobs: mergeKnobs(scenario.world, built.world),
            runs: built.runs.length > 0 ? built.runs : DEFAULT_RUNS,
            // Fresh per case, so no case inherits another's tokens; numbered, so none reuses a directory still being emptied.
            stateDir: path.join(caseRoot, String(++cases)),
            fresh: true,
          };
          run = await attempt(scenario, plan, ctx);
          if (!options.keepTemp) await rm(plan.stateDir, { recursive: true, force: true }).catch(() => undefined);
        } catch (error) {
          // build() threw: the case fails, and shrinking finds the smallest case that makes it throw.
          run = { interrupted: false, checks: [kitErrorCheck(`the kit could not build this case: ${(error as Error)?.message ?? String(error)}`)], processes: [], exchanges: [] };
        }
        // A SHOULD unmet (warn) is a violation too: the search shrinks it and prints its replay line,
        // and the report still shows it at its own level.
        return { held: run.checks.every((c) => c.status === 'pass' || c.status === 'skip'), interrupted: run.interrupted, recorded: run };
      },
      ctx.isInterrupted,
    );
  } catch (error) {
    // fast-check refuses a --replay path that does not lead to a case of this scenario.
    const why = replay !== undefined ? `could not replay path ${replay} with seed ${seed}` : 'could not run the property';
    const failed: Attempt = { interrupted: false, checks: [kitErrorCheck(`the kit ${why}: ${(error as Error)?.message ?? String(error)}`)], processes: [], exchanges: [] };
    return resultOf(scenario, protocolVersion, elapsed(), failed, { runs: 0, seed });
  }

  if (outcome.interrupted || ctx.isInterrupted()) {
    return interruptedResult(scenario, ctx, elapsed(), outcome.counterexampleRecorded ?? outcome.lastRecorded, { runs: outcome.runs, seed });
  }

  if (outcome.held) {
    const last = outcome.lastRecorded;
    if (!last) {
      const none: Attempt = { interrupted: false, checks: [kitErrorCheck(`the property ran no case (${runs} runs asked)`)], processes: [], exchanges: [] };
      return resultOf(scenario, protocolVersion, elapsed(), none, { runs: outcome.runs, seed });
    }
    if (last.trace) options.onTrace?.(scenario.id, last.trace);
    const suffix = ` (held in ${outcome.runs} runs, seed ${seed})`;
    const held: Attempt = { ...last, checks: last.checks.map((c) => ({ ...c, message: `${c.message}${suffix}` })) };
    return resultOf(scenario, protocolVersion, elapsed(), held, { runs: outcome.runs, seed });
  }

  const counterexample = describeCase(scenario, outcome.counterexample);
  const replayPath = outcome.path ?? '';
  const result: PropertyResult = {
    runs: outcome.runs,
    seed,
    ...(outcome.path !== undefined ? { path: outcome.path } : {}),
    counterexample,
    shrinks: outcome.shrinks,
    ...(outcome.path !== undefined ? { replay: replayCommand(options, scenario.id, seed, replayPath) } : {}),
  };
  const prefix = `counterexample after ${outcome.runs} runs, shrunk ${outcome.shrinks} times: ${counterexample} — `;
  const recorded: Attempt = outcome.counterexampleRecorded ?? {
    interrupted: false,
    checks: [kitErrorCheck('the counterexample was found but what it recorded was lost')],
    processes: [],
    exchanges: [],
  };
  if (recorded.trace) options.onTrace?.(scenario.id, recorded.trace);
  const failed: Attempt = { ...recorded, checks: recorded.checks.map((c) => (c.status === 'fail' || c.status === 'warn' ? { ...c, message: `${prefix}${c.message}` } : c)) };
  return resultOf(scenario, protocolVersion, elapsed(), failed, result);
}

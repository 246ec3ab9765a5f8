// One world definition behind every in-process entry point (msw, nock, vitest): a scenario's world
// (or knobs of one's own) answered in-process, its trace, and the scenario's checks on that trace.
import type { CheckDef } from '../core/check.js';
import { judgeSafely } from '../core/check.js';
import type { CheckResult } from '../core/report.js';
import { checksAt, type ClientRun, type ClientScenario } from '../core/scenario.js';
import { inSuite, nearMatches, suiteNames, UsageError } from '../core/select.js';
import { LATEST_SPEC_VERSION, type SpecVersion } from '../core/spec.js';
import type { RunRecord, Trace } from '../core/trace.js';
import { verdicts } from '../core/verdicts.js';
import { RunLog, traceWithoutProcesses } from '../core/run-log.js';
import { mergeKnobs, type KnobOverrides } from '../mocks/knobs.js';
import { createInProcessWorld, type InProcessWorld, type InProcessWorldOptions } from '../mocks/in-process-world.js';
import { clientScenarios } from '../suites/client/index.js';

/** The scenario whose world a test gets when it names none: the official suite's default world. */
export const DEFAULT_SCENARIO = 'auth/metadata-default';

export interface WorldOptions extends InProcessWorldOptions {
  /** The client scenario whose world this is, and whose checks judge it (default auth/metadata-default). */
  scenario?: string;
  /** Knobs over the scenario's world (faults, another refresh policy...). */
  knobs?: KnobOverrides;
  /** The MCP revision checks are judged at (default: the latest). */
  specVersion?: SpecVersion;
  /** SHOULD requirements fail instead of warning. */
  strict?: boolean;
}

/** What checks to judge: every check of the world's scenario, those of a suite, or some by id. */
export type CheckSelection = string | readonly string[] | undefined;

export interface ConformanceWorld extends InProcessWorld {
  readonly scenario: ClientScenario;
  readonly specVersion: SpecVersion;
  /** SHOULD requirements fail instead of warning in `verdicts()`. */
  readonly strict: boolean;
  /** The MCP server URL a client is given (the last argument of a client command). */
  readonly mcpUrl: string;
  /** What MCP_CONFORMANCE_CONTEXT carries in this scenario (pre-registered credentials...), with its `name`. */
  readonly context: Record<string, unknown> | undefined;
  /**
   * Starts the next of the scenario's runs (a client started again after its tokens expired, say):
   * applies what the run does to the world, numbers the client anew and records the run, so checks
   * that compare runs can tell them apart. The first run is started by the world itself.
   */
  nextRun(run?: ClientRun): Promise<RunRecord>;
  /** The trace so far, as the process-based suite would record it (without processes). */
  trace(): Trace;
  /** The checks of the scenario at this revision, narrowed by `selection`. */
  checks(selection?: CheckSelection): CheckDef[];
  /** The selected checks on the trace so far, with the suite's verdict rules. */
  verdicts(selection?: CheckSelection): CheckResult[];
}

export function findScenario(id: string): ClientScenario {
  const scenario = clientScenarios.find((s) => s.id === id);
  if (!scenario) {
    const near = nearMatches(id, clientScenarios.map((s) => s.id));
    throw new UsageError(`unknown scenario "${id}"${near.length > 0 ? `; did you mean ${near.join(' or ')}?` : ''}`);
  }
  return scenario;
}

/** The checks a selection names, among a scenario's at a revision; an impossible selection is an error, not an empty pass. */
export function selectChecks(scenario: ClientScenario, specVersion: SpecVersion, selection: CheckSelection): CheckDef[] {
  const checks = checksAt(scenario, specVersion);
  if (selection === undefined || selection === 'all') return checks;
  if (typeof selection === 'string' && suiteNames(clientScenarios).includes(selection)) {
    if (!inSuite(scenario, selection)) throw new UsageError(`scenario "${scenario.id}" is not in suite "${selection}"; its suites: ${['all', ...scenario.suites].join(', ')}`);
    return checks;
  }
  const ids = typeof selection === 'string' ? [selection] : [...selection];
  return ids.map((id) => {
    const check = checks.find((c) => c.id === id);
    if (!check) {
      // A lone name may have been meant as a suite: say so, with both kinds of names to choose from.
      const suites = typeof selection === 'string' ? suiteNames(clientScenarios) : [];
      const near = nearMatches(id, [...suites, ...checks.map((c) => c.id)]);
      const what = suites.length > 0 ? `neither a suite (${suites.join(', ')}) nor a check of scenario "${scenario.id}"` : `not a check of scenario "${scenario.id}"`;
      throw new UsageError(`"${id}" is ${what} at ${specVersion}${near.length > 0 ? `; did you mean ${near.join(' or ')}?` : ''}`);
    }
    return check;
  });
}

/** A scenario's checks on a trace, as the suite judges them, less the process check (there is no process). */
export function judgeTrace(scenario: ClientScenario, checks: readonly CheckDef[], trace: Trace, strict: boolean): CheckResult[] {
  return verdicts(
    checks.map((check) => ({ check, finding: judgeSafely(check, trace) })),
    { strict, requires: scenario.requires ?? [], exitExplainedBy: scenario.exitExplainedBy ?? [] },
  );
}

export async function createConformanceWorld(options: WorldOptions = {}): Promise<ConformanceWorld> {
  const scenario = findScenario(options.scenario ?? DEFAULT_SCENARIO);
  const specVersion = options.specVersion ?? LATEST_SPEC_VERSION;
  const strict = options.strict ?? false;
  const world = await createInProcessWorld(mergeKnobs(scenario.world, options.knobs), options);
  const firstFacts = world.facts;
  const startedAt = new Date().toISOString();
  const context = scenario.context ? { name: scenario.id, ...scenario.context(firstFacts) } : undefined;
  const runs = new RunLog(() => world.recorder.now(), scenario.clientRefuses === true);
  const openRun = (run: ClientRun): RunRecord => {
    const record = runs.start(run, world.knobs);
    world.actor = record.actors[0];
    return record;
  };
  const plannedRuns = scenario.runs ?? [{ label: 'run' }];
  openRun(plannedRuns[0]);

  const trace = (): Trace =>
    traceWithoutProcesses({
      scenario: scenario.id,
      specVersion,
      startedAt,
      world: firstFacts,
      exchanges: world.recorder.exchanges,
      events: world.recorder.events,
      runs,
    });

  return Object.assign(world, {
    scenario,
    specVersion,
    strict,
    mcpUrl: firstFacts.mcpUrl,
    context,
    async nextRun(run: ClientRun = plannedRuns[runs.current.index + 1] ?? { label: `run ${runs.current.index + 2}` }) {
      if (run.world) await world.reconfigure(mergeKnobs(world.knobs, run.world));
      if (run.expireTokens) world.expireAccessTokens();
      if (run.revokeRefreshTokens) world.revokeRefreshTokens();
      return openRun(run);
    },
    trace,
    checks: (selection?: CheckSelection) => selectChecks(scenario, specVersion, selection),
    verdicts: (selection?: CheckSelection) => judgeTrace(scenario, selectChecks(scenario, specVersion, selection), trace(), strict),
  });
}

// mcp-auth-conformance/vitest: a `test` whose `world` fixture is a scenario's mock world served
// through msw for the test's duration, and matchers that judge a trace with the scenario's checks.
// Importing this module registers the matchers (expect.extend) in the test file's worker.
import type { UnhandledRequestStrategy } from 'msw';
import { setupServer } from 'msw/node';
import { expect, test as baseTest } from 'vitest';
import type { CheckResult, ScenarioResult } from '../core/report.js';
import { SPEC_VERSIONS, type SpecVersion } from '../core/spec.js';
import type { Trace } from '../core/trace.js';
import { evidenceLines, PLAIN_STYLE, type EvidenceLayout } from '../reporters/evidence.js';
import { createWorld, releaseResponseClones, type MswWorld } from './msw.js';
import { findScenario, judgeTrace, selectChecks, type CheckSelection, type ConformanceWorld, type WorldOptions } from './world.js';

export { DEFAULT_SCENARIO, type CheckSelection, type ConformanceWorld, type WorldOptions } from './world.js';
export type { MswWorld } from './msw.js';
export type { CheckResult } from '../core/report.js';
export type { Exchange, Trace } from '../core/trace.js';
export type { KnobOverrides, WorldKnobs } from '../mocks/knobs.js';

export interface WorldFixtureOptions extends WorldOptions {
  /** What msw does with a request none of the world's origins answers (default 'bypass': it goes out as usual). */
  onUnhandledRequest?: UnhandledRequestStrategy;
}

export interface WorldFixtures {
  /** The options the `world` fixture is built from: override them per file or describe block with `test.override`. */
  worldOptions: WorldFixtureOptions;
  /** A fresh world of the chosen scenario, answered through msw from the test's start to its end. */
  world: MswWorld;
}

export const test = baseTest.extend<WorldFixtures>({
  // `injected`: a project's `provide: { worldOptions }` sets the default for every file it runs.
  worldOptions: [{}, { injected: true }],
  world: async ({ worldOptions }, use) => {
    const { onUnhandledRequest = 'bypass', ...options } = worldOptions;
    const world = await createWorld(options);
    const server = setupServer(...world.handlers);
    releaseResponseClones(server);
    server.listen({ onUnhandledRequest });
    try {
      await use(world);
    } finally {
      server.close();
    }
  },
});

export const it = test;

export interface PassChecksOptions {
  /** SHOULD requirements fail instead of warning (default: the world's `strict`, or false for a bare trace). */
  strict?: boolean;
}

interface Judged {
  scenario: ScenarioResult;
  /** The scenario and revision, as a message names them. */
  label: string;
}

function isWorld(value: unknown): value is ConformanceWorld {
  return typeof value === 'object' && value !== null && typeof (value as ConformanceWorld).trace === 'function' && 'scenario' in value;
}

function isTrace(value: unknown): value is Trace {
  return typeof value === 'object' && value !== null && typeof (value as Trace).scenario === 'string' && Array.isArray((value as Trace).exchanges);
}

function specVersionOf(trace: Trace): SpecVersion {
  const version = trace.specVersion as SpecVersion;
  if (!SPEC_VERSIONS.includes(version)) throw new Error(`the trace's spec version "${trace.specVersion}" is not one of ${SPEC_VERSIONS.join(', ')}`);
  return version;
}

/** The selected checks on a world's trace, or on a trace alone (whose `scenario` names its checks), as a scenario result. */
function judge(received: unknown, selection: CheckSelection, options: PassChecksOptions): Judged {
  let trace: Trace;
  let strict: boolean;
  if (isWorld(received)) {
    trace = received.trace();
    strict = options.strict ?? received.strict;
  } else if (isTrace(received)) {
    trace = received;
    strict = options.strict ?? false;
  } else {
    throw new TypeError('expected a world (createWorld, the `world` fixture) or its trace (world.trace())');
  }
  const scenario = findScenario(trace.scenario);
  const specVersion = specVersionOf(trace);
  const checks = judgeTrace(scenario, selectChecks(scenario, specVersion, selection), trace, strict);
  return {
    label: `${scenario.id} at ${specVersion}${strict ? ', strict' : ''}`,
    scenario: {
      id: scenario.id,
      title: scenario.title,
      description: scenario.description,
      status: checks.some(failed) ? 'fail' : 'pass',
      protocolVersion: scenario.protocolVersion ?? specVersion,
      durationMs: 0,
      processes: [],
      checks,
      world: trace.world,
      exchanges: trace.exchanges,
    },
  };
}

const failed = (check: CheckResult): boolean => check.status === 'fail' || check.status === 'not-reached';

const LAYOUT: EvidenceLayout = { width: 160, full: false, style: PLAIN_STYLE };

/** A check as the failure message shows it: verdict, id, level and requirements, message, then its evidence. */
function describeCheck(check: CheckResult, scenario: ScenarioResult): string[] {
  const requirements = check.requirements.length > 0 ? ` ${check.requirements.join(', ')}` : '';
  const cause = check.cause && check.cause.length > 0 ? ` (because of ${check.cause.join(', ')})` : '';
  return [
    `${check.status.toUpperCase()} ${check.id} [${check.level}${requirements}]: ${check.message}${cause}`,
    ...check.evidence.flatMap((evidence) => evidenceLines(scenario, evidence, LAYOUT).map((line) => `  ${line}`)),
  ];
}

function counts(checks: readonly CheckResult[]): string {
  const by = new Map<string, number>();
  for (const check of checks) by.set(check.status, (by.get(check.status) ?? 0) + 1);
  return [...by].map(([status, n]) => `${n} ${status}`).join(', ');
}

function selectionName(selection: CheckSelection): string {
  if (selection === undefined) return 'all its checks';
  return typeof selection === 'string' ? `"${selection}"` : `[${selection.join(', ')}]`;
}

// A SHOULD check reports its unmet requirement as a warning (a failure only under strict): both
// mean the check found the departure a mutant is made to show.
const FOUND_DEPARTURE = new Set(['fail', 'warn']);

expect.extend({
  toPassChecks(received: unknown, selection?: CheckSelection, options: PassChecksOptions = {}) {
    const { scenario, label } = judge(received, selection, options);
    const bad = scenario.checks.filter(failed);
    const summary = `${label}, ${selectionName(selection)}: ${counts(scenario.checks)}`;
    return {
      pass: bad.length === 0,
      message: () =>
        bad.length === 0
          ? `expected some check to fail, but every one passed (${summary})`
          : [`expected the client to pass the checks (${summary})`, ...bad.flatMap((check) => describeCheck(check, scenario))].join('\n'),
    };
  },
  toFailCheck(received: unknown, id: string, message?: string | RegExp) {
    const { scenario, label } = judge(received, [id], {});
    const check = scenario.checks[0];
    const departed = FOUND_DEPARTURE.has(check.status);
    const says = message === undefined || (typeof message === 'string' ? check.message.includes(message) : message.test(check.message));
    const lines = describeCheck(check, scenario);
    return {
      pass: departed && says,
      message: () =>
        departed && !says
          ? [`expected ${id} to fail saying ${typeof message === 'string' ? JSON.stringify(message) : String(message)} (${label})`, ...lines].join('\n')
          : [`expected ${id} ${departed ? 'not ' : ''}to fail (${label})`, ...lines].join('\n'),
    };
  },
});

interface ConformanceMatchers<R = unknown> {
  /**
   * Runs the selected checks of the world's scenario (all, a suite such as 'core', or check ids) on
   * its trace. Passes when none is `fail` or `not-reached`; a SHOULD's warning passes unless strict.
   */
  toPassChecks(selection?: CheckSelection, options?: PassChecksOptions): R;
  /** The check found the departure it tests: `fail`, or `warn` for a SHOULD; optionally with a message that says `message`. */
  toFailCheck(id: string, message?: string | RegExp): R;
}

declare module 'vitest' {
  interface Matchers<T = any> extends ConformanceMatchers<T> {}
  interface ProvidedContext {
    worldOptions: WorldFixtureOptions;
  }
}

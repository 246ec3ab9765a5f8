// A property scenario against a target that listens (an MCP server, an authorization server): every
// drawn case is sent and judged alone with a fresh trace, the search stops at the first case some
// check does not pass, and the report carries the shrunk counterexample with the line that replays
// it. How a case is sent and judged is the suite's; the search and its report are the same for both.
import { kitErrorCheck, resultOf, type Judgement } from '../results.js';
import { caseKey, checkProperty, freshSeed } from '../property.js';
import type { CheckResult, PropertyResult, ScenarioResult } from '../report.js';
import type { ScenarioBase } from '../scenario.js';
import type { PropertyOptions } from '../engine.js';
import type { Trace } from '../trace.js';
import type { Arbitrary } from 'fast-check';

export type CaseJudgement = Judgement & { trace?: Trace };

export interface TargetPropertyRun<Case> {
  scenario: ScenarioBase;
  property: { cases: Arbitrary<Case>; examples?: Case[]; describe(c: Case): string; defaultRuns: number; outcome?(trace: Trace): string };
  specVersion: string;
  options?: PropertyOptions;
  /** Sends one case and judges it. */
  attempt(value: Case): Promise<CaseJudgement>;
  /** The command line that runs a counterexample again. */
  replay(seed: number, path: string): string;
  /** The search must end: the run was interrupted or the target is gone. */
  stop(): boolean;
  interrupted(): boolean;
  onTrace?: (scenarioId: string, trace: Trace) => void;
}

export async function runTargetProperty<Case>(run: TargetPropertyRun<Case>): Promise<ScenarioResult> {
  const { scenario, property, specVersion } = run;
  const began = performance.now();
  const elapsed = (): number => Math.round(performance.now() - began);
  const seed = run.options?.seed ?? freshSeed();
  const runs = run.options?.runs ?? property.defaultRuns;
  // A check that had nothing to judge in the last case may have passed in earlier ones: a property that
  // held reports, for each check, a case that judged it.
  const passedOnce = new Map<string, CheckResult>();
  // The cases fast-check drew, not the ones it tried while shrinking a failure.
  const outcomes: Record<string, number> = {};
  let shrinking = false;
  let outcome;
  try {
    outcome = await checkProperty<Case, CaseJudgement>(
      property,
      {
        runs,
        seed,
        ...(run.options?.replay !== undefined ? { path: run.options.replay } : {}),
        ...(run.options?.shrink === false ? { shrink: false } : {}),
      },
      async (value) => {
        const judged = await run.attempt(value);
        for (const check of judged.checks) if (check.status === 'pass' && !passedOnce.has(check.id)) passedOnce.set(check.id, check);
        const held = judged.checks.every((c) => c.status === 'pass' || c.status === 'skip');
        if (property.outcome && judged.trace && !shrinking) {
          const name = property.outcome(judged.trace);
          outcomes[name] = (outcomes[name] ?? 0) + 1;
        }
        if (!held) shrinking = true;
        return { held, interrupted: run.interrupted(), recorded: judged };
      },
      run.stop,
    );
  } catch (error) {
    const why = run.options?.replay !== undefined ? `could not replay path ${run.options.replay} with seed ${seed}` : 'could not run the property';
    return resultOf(scenario, specVersion, elapsed(), { checks: [kitErrorCheck(`the kit ${why}: ${(error as Error)?.message ?? String(error)}`)], processes: [], exchanges: [] }, { runs: 0, seed });
  }
  const counted = Object.keys(outcomes).length > 0 ? { outcomes } : {};
  const describe = (value: unknown): string => {
    try {
      return property.describe(value as Case);
    } catch {
      return caseKey(value);
    }
  };
  if (outcome.held || outcome.interrupted) {
    const last = outcome.counterexampleRecorded ?? outcome.lastRecorded ?? { checks: [kitErrorCheck(`the property ran no case (${runs} runs asked)`)], processes: [], exchanges: [] };
    if (last.trace) run.onTrace?.(scenario.id, last.trace);
    const suffix = ` (held in ${outcome.runs} runs, seed ${seed})`;
    const judged = last.checks.map((c) => (c.status === 'skip' ? (passedOnce.get(c.id) ?? c) : c));
    const held = outcome.held ? { ...last, checks: judged.map((c) => ({ ...c, message: `${c.message}${suffix}` })) } : last;
    return resultOf(scenario, specVersion, elapsed(), held, { runs: outcome.runs, seed, ...counted });
  }
  const counterexample = describe(outcome.counterexample);
  const result: PropertyResult = {
    runs: outcome.runs,
    seed,
    ...(outcome.path !== undefined ? { path: outcome.path, replay: run.replay(seed, outcome.path) } : {}),
    counterexample,
    shrinks: outcome.shrinks,
    ...counted,
  };
  const recorded = outcome.counterexampleRecorded ?? { checks: [kitErrorCheck('the counterexample was found but what it recorded was lost')], processes: [], exchanges: [] };
  if (recorded.trace) run.onTrace?.(scenario.id, recorded.trace);
  const prefix = `counterexample after ${outcome.runs} runs, shrunk ${outcome.shrinks} times: ${counterexample} — `;
  const failed = { ...recorded, checks: recorded.checks.map((c) => (c.status === 'fail' || c.status === 'warn' ? { ...c, message: `${prefix}${c.message}` } : c)) };
  return resultOf(scenario, specVersion, elapsed(), failed, result);
}

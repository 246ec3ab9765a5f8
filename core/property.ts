// Runs a property scenario's cases under fast-check: draws cases, runs each (a fresh world and
// fresh client processes, supplied by the engine), shrinks the first failure to a minimal
// counterexample, and keeps what each failing case recorded so the counterexample can be reported
// with its own trace rather than with whatever case happened to run last.
import fc from 'fast-check';
import type { ScenarioProperty } from './scenario.js';

export interface PropertySettings {
  /** Cases to draw (fast-check's numRuns). */
  runs: number;
  seed: number;
  /** fast-check path of a counterexample to run first (replay); needs the seed it was found with. */
  path?: string;
  /** Shrink the first failing case to the smallest one (default); false stops at the first failure as drawn. */
  shrink?: boolean;
}

/** What the engine reports about one case. */
export interface CaseRun<Recorded> {
  /** The scenario's checks had no failure for this case. */
  held: boolean;
  /** The run was stopped (Ctrl-C) while the case ran: its verdict means nothing. */
  interrupted: boolean;
  recorded: Recorded;
}

export interface PropertyOutcome<Case, Recorded> {
  held: boolean;
  /** Stopped before fast-check was done; `held` then only says that no case failed so far. */
  interrupted: boolean;
  /** Cases run: all of them when it held; up to and including the first failure otherwise. */
  runs: number;
  shrinks: number;
  seed: number;
  /** When it failed: fast-check's path to the shrunk counterexample. */
  path?: string;
  counterexample?: Case;
  /** What the shrunk counterexample's own run recorded. */
  counterexampleRecorded?: Recorded;
  /** What the last case run recorded (the report of a property that held shows it). */
  lastRecorded?: Recorded;
}

/** A seed as fast-check draws one when none is given (a signed 32-bit integer), drawn here so it is known before the first case. */
export function freshSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

/** Failing cases are found again by their JSON; fast-check's own rendering covers what JSON cannot hold (bigint, undefined...). */
export function caseKey(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // not representable as JSON
  }
  return fc.stringify(value);
}

/**
 * Checks the property: `runCase` runs one case and says whether it held. Cases run one at a time.
 * `isInterrupted` is asked before and after every case; once it says yes, fast-check is told to
 * stop (an interrupting precondition failure) rather than to treat the case as a failure to shrink.
 * Rejects only if `runCase` does; the engine's runCase turns kit errors into failing cases instead.
 */
export async function checkProperty<Case, Recorded>(
  property: Pick<ScenarioProperty<Case>, 'cases' | 'examples'>,
  settings: PropertySettings,
  runCase: (value: Case) => Promise<CaseRun<Recorded>>,
  isInterrupted: () => boolean,
): Promise<PropertyOutcome<Case, Recorded>> {
  const failures = new Map<string, Recorded>();
  let lastRecorded: Recorded | undefined;
  let interrupted = false;
  const stop = (): never => {
    interrupted = true;
    throw new fc.PreconditionFailure(true);
  };

  const details = await fc.check(
    fc.asyncProperty(property.cases, async (value) => {
      if (isInterrupted()) stop();
      const outcome = await runCase(value);
      if (outcome.interrupted || isInterrupted()) stop();
      lastRecorded = outcome.recorded;
      // Kept by value: shrinking runs many failing cases, and only the last one fast-check settles on is reported.
      if (!outcome.held) failures.set(caseKey(value), outcome.recorded);
      return outcome.held;
    }),
    {
      numRuns: settings.runs,
      seed: settings.seed,
      ...(settings.path !== undefined ? { path: settings.path } : {}),
      ...(property.examples?.length ? { examples: property.examples.map((example): [Case] => [example]) } : {}),
      // Shrinking is the point: the report shows the smallest interleaving that breaks the client.
      // Without it (a CI run that only needs the verdict), the first failing case is reported as drawn.
      endOnFailure: settings.shrink === false,
    },
  );

  const outcome: PropertyOutcome<Case, Recorded> = {
    held: !details.failed,
    interrupted: interrupted || details.interrupted,
    runs: details.numRuns,
    shrinks: details.numShrinks,
    seed: details.seed,
    ...(lastRecorded !== undefined ? { lastRecorded } : {}),
  };
  if (details.failed && details.counterexample !== null) {
    const [counterexample] = details.counterexample;
    outcome.counterexample = counterexample;
    if (details.counterexamplePath !== null) outcome.path = details.counterexamplePath;
    const recorded = failures.get(caseKey(counterexample));
    if (recorded !== undefined) outcome.counterexampleRecorded = recorded;
  }
  return outcome;
}

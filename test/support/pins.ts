// What the kit says about a real target, written out so that any change shows: the integration
// tests of test/integration/ pin a plain client on a public package and compare every run with it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Report } from '../../core/report.js';
import { ROOT } from './compiled.js';

export type Verdict = 'fail' | 'warn' | 'skip';

export interface Pins {
  /** `scenario:check-id` -> what the kit says. Every check not listed must pass. */
  checks: Record<string, Verdict>;
  /** Scenarios whose required checks all pass (warnings allowed). */
  passingScenarios: string[];
  /**
   * Property scenarios whose counterexample depends on how the target's processes interleaved: only
   * that the property fails, with a check message matching the pattern, is pinned.
   */
  failingProperties?: Record<string, RegExp>;
  /**
   * Property scenarios where the interleaving decides even how bad the counterexample is: a copy may
   * die of it (client-process fails) or only SHOULDs warn. Pinned: a counterexample was found, and a
   * check that did not pass says the pattern.
   */
  counterexampleProperties?: Record<string, RegExp>;
}

export function installedVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** One line per entry that moved; empty when the report matches the pins exactly. */
export function pinChanges(report: Report, pins: Pins): string[] {
  const properties = pins.failingProperties ?? {};
  const counterexamples = pins.counterexampleProperties ?? {};
  const lines: string[] = [];
  const seen = new Set<string>();
  const passing = new Set<string>();
  for (const scenario of report.scenarios) {
    const pattern = properties[scenario.id];
    if (pattern) {
      if (scenario.status !== 'fail' || !scenario.property?.counterexample) lines.push(`property ${scenario.id} did not fail with a counterexample (${scenario.status})`);
      else if (!scenario.checks.some((c) => c.status !== 'pass' && pattern.test(c.message))) lines.push(`property ${scenario.id} failed, but no check said ${pattern}`);
      continue;
    }
    const anyCounterexample = counterexamples[scenario.id];
    if (anyCounterexample) {
      if (!scenario.property?.counterexample) lines.push(`property ${scenario.id} found no counterexample (${scenario.status})`);
      else if (!scenario.checks.some((c) => c.status !== 'pass' && anyCounterexample.test(c.message))) lines.push(`property ${scenario.id} found a counterexample, but no check said ${anyCounterexample}`);
      continue;
    }
    if (scenario.status === 'pass') passing.add(scenario.id);
    // A skipped scenario has no checks; it is neither passing nor failing, so it shows up as a change.
    const found = scenario.status === 'skip' ? [{ key: `${scenario.id}:(scenario)`, verdict: 'skip', message: scenario.skipReason ?? '' }] : [];
    for (const check of scenario.checks) if (check.status !== 'pass') found.push({ key: `${scenario.id}:${check.id}`, verdict: check.status, message: check.message });
    for (const { key, verdict, message } of found) {
      seen.add(key);
      const pinned = pins.checks[key];
      if (pinned === undefined) lines.push(`new ${verdict}: ${key} (${message})`);
      else if (pinned !== verdict) lines.push(`was ${pinned}, now ${verdict}: ${key} (${message})`);
    }
  }
  for (const id of [...Object.keys(properties), ...Object.keys(counterexamples)]) if (!report.scenarios.some((s) => s.id === id)) lines.push(`property ${id} did not run`);
  for (const key of Object.keys(pins.checks)) if (!seen.has(key)) lines.push(`pinned ${pins.checks[key]}, now passes or is gone: ${key}`);
  for (const id of passing) if (!pins.passingScenarios.includes(id)) lines.push(`scenario now passes: ${id}`);
  for (const id of pins.passingScenarios) if (!passing.has(id)) lines.push(`scenario no longer passes (or is gone): ${id}`);
  return lines;
}

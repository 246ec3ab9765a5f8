// The kit against clients nobody here wrote, and against two test clients of its own that a
// correct client's verdicts can be read from: every one through the whole client suite at the
// latest revision, by the same engine the CLI uses. What the kit says must be exactly what is
// pinned for it in test/integration/clients/, each verdict with its reason; when anything moves,
// either the kit changed (a check, a scenario, the world) or the client did, and the pins are only
// updated once it is clear which side moved and why. The README's compatibility tables are made
// from the same pins (regenerate with `node dist/test/support/readme-compatibility.js`).
//
// Two claims ride on it. No client fails where it broke nothing: every pinned failure names what the
// client did and the requirement that forbids it. And the kit's worlds are fair: the strict client,
// which refuses any world that breaks an RFC rule it can observe, and the client that keeps nothing
// between starts pass every scenario (warnings allowed).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runClientScenarios } from '../../core/engine.js';
import type { Report } from '../../core/report.js';
import { clientScenarios } from '../../suites/client/index.js';
import { compatibilitySection, installedVersion, pinChanges, pinnedVerdicts, README_MARKERS, type ClientPins } from '../support/compatibility.js';
import { ensureCompiled } from '../support/compiled.js';
import { COMPATIBILITY_CLIENTS } from './clients/index.js';

const SPEC_VERSION = '2026-07-28';
/** Scenarios at once per client, and clients at once: four client processes on two cores. */
const JOBS = 2;
const LANES = 2;
/** The race's hardest case and one drawn case: enough to find what the pins say, at a fixed cost. */
const PROPERTY = { runs: 2, seed: 20261202 };

async function runSuite(pins: ClientPins): Promise<Report> {
  const run = (ids?: string[]) =>
    runClientScenarios({
      command: pins.command,
      scenarios: ids ? clientScenarios.filter((s) => ids.includes(s.id)) : clientScenarios,
      specVersion: SPEC_VERSION,
      jobs: JOBS,
      timeoutMs: 20_000,
      strict: false,
      property: PROPERTY,
    });
  const report = await run();
  const again = pins.rerunIf ? report.scenarios.filter(pins.rerunIf).map((s) => s.id) : [];
  if (again.length === 0) return report;
  const second = await run(again);
  return { ...report, scenarios: report.scenarios.map((s) => second.scenarios.find((a) => a.id === s.id) ?? s) };
}

// Each client's run starts when its test asks, two at a time.
let free = LANES;
const waiting: Array<() => void> = [];
async function lane<T>(work: () => Promise<T>): Promise<T> {
  if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  else free--;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free++;
  }
}

const runs = new Map<string, Promise<Report>>();
const reportOf = (pins: ClientPins): Promise<Report> => {
  if (!runs.has(pins.name)) runs.set(pins.name, lane(() => runSuite(pins)));
  return runs.get(pins.name)!;
};

beforeAll(() => ensureCompiled(...COMPATIBILITY_CLIENTS.flatMap((c) => (c.build ? [c.build] : []))), 120_000);

describe.each(COMPATIBILITY_CLIENTS)('$name, whole client suite at 2026-07-28', (pins) => {
  it('runs the versions it was pinned with', () => {
    for (const [name, version] of Object.entries(pins.packages ?? {})) {
      expect(installedVersion(name), `another ${name} is installed, so the pins do not describe it`).toBe(version);
    }
  });

  it('gets exactly the pinned verdicts', async () => {
    const moved = pinChanges(await reportOf(pins), pins);
    const explanation = `The kit's verdicts on ${pins.name} changed (${moved.length}). Either the kit or the client moved: find out which from the trace, then update test/integration/clients/ with the reason.`;
    expect(moved, explanation).toEqual([]);
  }, 600_000);
});

describe('the kit is fair to correct clients', () => {
  it.each(COMPATIBILITY_CLIENTS.filter((c) => c.build !== undefined && !c.packages))('pins no failure for $name, a test client written to the specification', (pins) => {
    const failing = [...pinnedVerdicts(pins)].filter(([, verdict]) => verdict === 'fail' || verdict === 'not-reached');
    expect(failing).toEqual([]);
    expect(Object.keys(pins.unsettled ?? {})).toEqual([]);
  });

  it('explains every pinned verdict', () => {
    for (const pins of COMPATIBILITY_CLIENTS) for (const finding of pins.findings) expect(finding.why.length, `${pins.name}: a finding without its reason`).toBeGreaterThan(20);
  });
});

describe('README', () => {
  it('shows the compatibility tables made from the pins (regenerate with node dist/test/support/readme-compatibility.js)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf(README_MARKERS.start);
    const end = readme.indexOf(README_MARKERS.end);
    expect(start, 'the README has no compatibility markers').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start + README_MARKERS.start.length, end).trim()).toBe(compatibilitySection(COMPATIBILITY_CLIENTS));
  });
});

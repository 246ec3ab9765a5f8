// Real resource-server libraries under the server suite: each pinned configuration gets exactly the
// verdicts its pin states, each explained by the text it breaks, and the README says the same.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SPEC_VERSION } from '../../core/spec.js';
import { ensureCompiled, ROOT, type Build } from '../support/compiled.js';
import { SERVER_README_MARKERS, serverCompatibilitySection } from '../support/server-compatibility.js';
import { RunQueue, type ServerRun } from '../suites/server-harness.js';
import { SERVER_PINS, type ServerPin } from './servers/pins.js';

const queue = new RunQueue(2);
/** Most pins wait out a JWKS refetch cooldown (30 s) in server/key-rotation. */
const TEST_TIMEOUT_MS = 300_000;

function buildOf(pin: ServerPin): Build {
  return { compiled: `dist/test/targets/servers/${pin.target}.js`, sources: [`test/targets/servers/${pin.target}.ts`, 'test/targets/servers/contract.ts'] };
}

function runOf(pin: ServerPin): ServerRun {
  return { build: buildOf(pin), specVersion: LATEST_SPEC_VERSION, toolScopes: pin.toolScopes ?? {} };
}

beforeAll(() => {
  ensureCompiled(...SERVER_PINS.map(buildOf));
  for (const pin of SERVER_PINS) void queue.get(runOf(pin));
}, 120_000);

describe('what real servers get', () => {
  it.each(SERVER_PINS.map((pin) => [`${pin.implementation} (${pin.configuration})`, pin] as const))('%s gets exactly its pinned verdicts', async (_name, pin) => {
    const { report } = await queue.get(runOf(pin));
    const got: Record<string, string> = {};
    for (const scenario of report.scenarios) {
      for (const check of scenario.checks) if (check.status === 'fail' || check.status === 'warn') got[check.id] = got[check.id] === 'fail' ? 'fail' : check.status;
    }
    const pinned = Object.fromEntries(Object.entries(pin.verdicts).map(([id, v]) => [id, v.status]));
    expect(got).toEqual(pinned);
    expect(report.summary.exitCode).toBe(Object.values(pin.verdicts).some((v) => v.status === 'fail') ? 1 : 0);
  }, TEST_TIMEOUT_MS);

  it('the README shows these verdicts', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf(SERVER_README_MARKERS.start);
    const end = readme.indexOf(SERVER_README_MARKERS.end);
    expect(start, 'README.md has the server markers').toBeGreaterThan(0);
    expect(readme.slice(start + SERVER_README_MARKERS.start.length, end).trim()).toBe(serverCompatibilitySection(SERVER_PINS));
  });
});

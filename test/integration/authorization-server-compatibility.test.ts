// Real authorization servers under the authorization-server suite: each pinned configuration gets
// exactly the verdicts its pin states, each explained by the text it breaks. Every server is started
// by the engine as users start theirs (a real process, real HTTP on loopback), two at a time.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../../core/check.js';
import type { Report } from '../../core/report.js';
import { LATEST_SPEC_VERSION } from '../../core/spec.js';
import { shellQuote } from '../../core/targets/client/process.js';
import { DEFAULT_REDIRECT_URI, DEFAULT_RESOURCE, runAuthorizationServerScenarios } from '../../core/targets/authorization-server/run.js';
import { authorizationServerScenarios } from '../../suites/authorization-server/index.js';
import { AUTHORIZATION_SERVER_README_MARKERS, authorizationServerCompatibilitySection } from '../support/authorization-server-compatibility.js';
import { ensureCompiled, ROOT, type Build } from '../support/compiled.js';
import { readmeSection } from '../support/readme-section.js';
import { AUTHORIZATION_SERVER_PINS, type AuthorizationServerPin } from './authorization-servers/pins.js';

/** A fixed seed and a small budget of cases, so that a race verdict found once is found on every run. */
const PROPERTY = { runs: 10, seed: 20261202 };
/** Two runs at once: the norm of CI's two cores. */
const LANES = 2;
const TEST_TIMEOUT_MS = 150_000;

const SHARED_SOURCES = ['test/targets/authorization-servers/contract.ts', 'test/targets/servers/contract.ts'];

function buildOf(pin: AuthorizationServerPin): Build {
  return { compiled: `dist/test/targets/authorization-servers/${pin.target}.js`, sources: [`test/targets/authorization-servers/${pin.target}.ts`, ...SHARED_SOURCES] };
}

const nameOf = (pin: AuthorizationServerPin): string => `${pin.implementation} (${pin.configuration})`;

function commandOf(pin: AuthorizationServerPin): string {
  return [process.execPath, path.join(ROOT, buildOf(pin).compiled), ...(pin.args ?? [])].map(shellQuote).join(' ');
}

function run(pin: AuthorizationServerPin): Promise<Report> {
  return runAuthorizationServerScenarios({
    target: { command: commandOf(pin), ...(pin.issuerPath ? { issuerPath: pin.issuerPath } : {}) },
    scenarios: authorizationServerScenarios,
    specVersion: LATEST_SPEC_VERSION,
    strict: false,
    resource: DEFAULT_RESOURCE,
    redirectUri: DEFAULT_REDIRECT_URI,
    ...(pin.scope ? { scope: pin.scope } : {}),
    ...(pin.clientId ? { client: { clientId: pin.clientId } } : {}),
    ...(pin.login ?? {}),
    // Only a hung server waits this long; two runs sharing two cores slow every answer.
    timeoutMs: 30_000,
    startTimeoutMs: 30_000,
    redact: true,
    property: PROPERTY,
  });
}

/** Runs at most `lanes` jobs at once, in the order they were asked for. */
function limited(lanes: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (active < lanes) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

const allowed = (pin: AuthorizationServerPin, id: string): readonly Status[] => {
  const status = pin.verdicts[id]?.status ?? 'pass';
  return typeof status === 'string' ? [status] : status;
};

/** Every check whose status the pin does not allow, with what the suite said, keyed by scenario and check. */
function departures(pin: AuthorizationServerPin, report: Report): Record<string, { got: Status; pinned: readonly Status[]; message: string }> {
  const found: Record<string, { got: Status; pinned: readonly Status[]; message: string }> = {};
  for (const scenario of report.scenarios) {
    for (const check of scenario.checks) {
      const pinned = allowed(pin, check.id);
      if (!pinned.includes(check.status)) found[`${scenario.id} ${check.id}`] = { got: check.status, pinned, message: check.message };
    }
  }
  return found;
}

const reports = new Map<AuthorizationServerPin, Promise<{ report: Report; seconds: number }>>();

describe('what real authorization servers get', () => {
  // Inside this describe, so that the README test, run alone (-t README), starts no server.
  beforeAll(() => {
    ensureCompiled(...AUTHORIZATION_SERVER_PINS.map(buildOf));
    const lane = limited(LANES);
    for (const pin of AUTHORIZATION_SERVER_PINS) {
      reports.set(
        pin,
        lane(async () => {
          const began = performance.now();
          const report = await run(pin);
          return { report, seconds: Math.round((performance.now() - began) / 100) / 10 };
        }),
      );
    }
  }, 120_000);

  it.each(AUTHORIZATION_SERVER_PINS.map((pin) => [nameOf(pin), pin] as const))('%s gets exactly its pinned verdicts', async (name, pin) => {
    const { report, seconds } = await reports.get(pin)!;
    console.info(`${name}: ${seconds} s`);
    expect(report.stoppedEarly, 'the server ran every scenario').toBeUndefined();
    expect(departures(pin, report)).toEqual({});
    const judged = new Set(report.scenarios.flatMap((s) => s.checks.map((c) => c.id)));
    expect(Object.keys(pin.verdicts).filter((id) => !judged.has(id)), 'every pinned check is one the suite has').toEqual([]);
    const failing = report.scenarios.some((s) => s.checks.some((c) => c.status === 'fail'));
    expect(report.summary.exitCode).toBe(failing ? 1 : 0);
  }, TEST_TIMEOUT_MS);

  it('says why for every verdict it pins', () => {
    for (const pin of AUTHORIZATION_SERVER_PINS) {
      for (const [id, verdict] of Object.entries(pin.verdicts)) expect(verdict.why.length, `${nameOf(pin)}: ${id}`).toBeGreaterThan(40);
    }
  });
});

describe('README', () => {
  it('shows these verdicts (regenerate with node dist/test/support/readme-authorization-servers.js)', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readmeSection(readme, AUTHORIZATION_SERVER_README_MARKERS)).toBe(authorizationServerCompatibilitySection(AUTHORIZATION_SERVER_PINS));
  });
});

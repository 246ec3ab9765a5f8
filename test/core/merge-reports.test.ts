import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { applyExpectedFailures, parseExpectedFailures } from '../../core/expected-failures.js';
import { MergeError, mergeReports, type ReportInput } from '../../core/merge-reports.js';
import type { Report } from '../../core/report.js';
import { shardItems } from '../../core/shard.js';
import { summarize } from '../../core/summary.js';
import { renderJson } from '../../reporters/json.js';
import { check, report, sampleReport, scenario } from '../support/report-fixtures.js';

/** The report a shard of `whole` would have written: its part of the scenarios, recounted. */
function shardOf(whole: Report, index: number, total: number, init: Partial<Report> = {}): Report {
  const { summary: _summary, scenarios: _scenarios, ...run } = whole;
  return { ...report(shardItems(whole.scenarios, { index, total }), run), shard: { index, total }, ...init };
}

const input = (r: Report, source: string): ReportInput => ({ source, text: renderJson(r) });
const shards = (whole: Report, total: number, init: (index: number) => Partial<Report> = () => ({})): ReportInput[] =>
  Array.from({ length: total }, (_, i) => input(shardOf(whole, i + 1, total, init(i + 1)), `shard-${i + 1}/report.json`));

function refusal(inputs: ReportInput[]): string {
  try {
    mergeReports(inputs);
  } catch (error) {
    expect(error).toBeInstanceOf(MergeError);
    return (error as Error).message;
  }
  throw new Error('merged what it should have refused');
}

describe('mergeReports', () => {
  it('puts the shards back together: scenarios in the original order whatever order the files come in, summary recounted', () => {
    const whole = sampleReport();
    const [one, two, three] = shards(whole, 3);
    const merged = mergeReports([three, one, two]);
    expect(merged.scenarios).toEqual(whole.scenarios);
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.summary.exitCode).toBe(1);
    expect(merged.shard).toBeUndefined();
    expect({ ...merged, startedAt: whole.startedAt, durationMs: whole.durationMs }).toEqual(whole);
  });

  it('starts at the earliest start and lasts until the latest end, whether the shards ran side by side or one by one', () => {
    const whole = sampleReport();
    const merged = mergeReports(
      shards(whole, 2, (index) =>
        index === 1 ? { startedAt: '2026-08-07T10:00:05.000Z', durationMs: 4000 } : { startedAt: '2026-08-07T10:00:00.000Z', durationMs: 3000 },
      ),
    );
    expect(merged.startedAt).toBe('2026-08-07T10:00:00.000Z');
    expect(merged.durationMs).toBe(9000);
  });

  it('is interrupted when any shard was, keeps every reason a shard stopped early, and exits 3 when any shard could not run the target', () => {
    const whole = sampleReport();
    const parts = shards(whole, 2, (index) => (index === 2 ? { interrupted: true } : {}));
    expect(mergeReports(parts).interrupted).toBe(true);

    const dead = shardOf(whole, 2, 2, { stoppedEarly: 'the client sent no request at all in the first 2 scenarios' });
    dead.summary.exitCode = 3;
    const merged = mergeReports([input(shardOf(whole, 1, 2), 'a.json'), input(dead, 'b.json')]);
    expect(merged.summary.exitCode).toBe(3);
    expect(merged.stoppedEarly).toBe('the client sent no request at all in the first 2 scenarios');
  });

  it('passes when every shard passed, and an empty shard changes nothing', () => {
    const passing = report([scenario({ id: 'auth/a', checks: [check({ id: 'x' })] }), scenario({ id: 'auth/b', checks: [check({ id: 'y' })] })]);
    const merged = mergeReports(shards(passing, 3));
    expect(merged.summary.exitCode).toBe(0);
    expect(merged.scenarios.map((s) => s.id)).toEqual(['auth/a', 'auth/b']);
  });

  it('merges whole runs of disjoint selections in the order given', () => {
    const a = report([scenario({ id: 'auth/a' })]);
    const b = report([scenario({ id: 'auth/b' })]);
    expect(mergeReports([input(b, 'b.json'), input(a, 'a.json')]).scenarios.map((s) => s.id)).toEqual(['auth/b', 'auth/a']);
  });

  it('keeps a started server\'s URL only when every shard has the same', () => {
    const server = (url: string) => report([scenario({ id: `server/${url.length}` })], { role: 'server', target: { command: 'node server.js', url } });
    expect(mergeReports([input(server('http://127.0.0.1:4001/mcp'), 'a'), input(server('http://127.0.0.1:40002/mcp'), 'b')]).target).toEqual({ command: 'node server.js' });
    const same = (id: string) => report([scenario({ id })], { role: 'server', target: { url: 'http://127.0.0.1:3000/mcp' } });
    expect(mergeReports([input(same('server/a'), 'a'), input(same('server/b'), 'b')]).target).toEqual({ url: 'http://127.0.0.1:3000/mcp' });
  });

  describe('a baseline applied per shard', () => {
    const whole = report([
      scenario({ id: 'auth/a', checks: [check({ id: 'one', status: 'fail' }), check({ id: 'two' })] }),
      scenario({ id: 'auth/b', checks: [check({ id: 'one' }), check({ id: 'two' })] }),
      scenario({ id: 'auth/c', checks: [check({ id: 'one', status: 'fail' })] }),
      scenario({ id: 'auth/d', checks: [check({ id: 'one' })] }),
    ]);
    // auth/a:one still fails (expected); auth/b:one and auth/d no longer fail (stale); auth/c is not listed (fails); auth/e never ran.
    const baseline = parseExpectedFailures('client:\n  - auth/a:one\n  - auth/b:one\n  - auth/d\n  - auth/e\n', 'baseline.yaml');

    it('gives the summary, stale entries included, that the baseline applied to the whole run gives', () => {
      for (const total of [1, 2, 3, 4, 5]) {
        const parts = Array.from({ length: total }, (_, i) => {
          const part = applyExpectedFailures(shardOf(whole, i + 1, total), baseline);
          return input(part, `shard-${i + 1}`);
        });
        const merged = mergeReports(parts);
        const expected = applyExpectedFailures(whole, baseline);
        expect(merged.summary, `${total} shards`).toEqual(expected.summary);
        expect(merged.scenarios).toEqual(expected.scenarios);
        expect(merged.summary.staleExpectedFailures).toEqual(['auth/b:one', 'auth/d']);
      }
    });

    it('does not call an entry stale because the shard that reports it did not run its scenario', () => {
      // Shard 1 of 2 holds auth/a and auth/b; auth/d's entry is judged by shard 2 alone.
      const first = applyExpectedFailures(shardOf(whole, 1, 2), baseline);
      expect(first.summary.staleExpectedFailures).toEqual(['auth/b:one']);
      const merged = mergeReports([input(first, 'one'), input(applyExpectedFailures(shardOf(whole, 2, 2), baseline), 'two')]);
      expect(merged.summary.staleExpectedFailures).toEqual(['auth/b:one', 'auth/d']);
      expect(merged.summary.checks.expectedFailures).toBe(1);
    });
  });

  describe('refuses, naming the input at fault', () => {
    const whole = sampleReport();
    const one = () => shardOf(whole, 1, 2);
    const two = () => shardOf(whole, 2, 2);

    it('what is not a report of this schema version', () => {
      expect(refusal([{ source: 'broken.json', text: '{"schema": ' }])).toMatch(/^broken\.json: not JSON \(/);
      expect(refusal([{ source: 'other.json', text: '{"schema":"something/else"}' }])).toBe('other.json: not an mcp-auth-conformance report (no "schema": "mcp-auth-conformance/report")');
      expect(refusal([{ source: 'list.json', text: '[]' }])).toMatch(/^list\.json: not an mcp-auth-conformance report/);
      expect(refusal([{ source: 'old.json', text: JSON.stringify({ ...whole, schemaVersion: 1 }) }])).toBe('old.json: report schema version 1; this version of the kit merges version 2 only');
    });

    it('a report without the fields the merge recounts', () => {
      const broken = (change: (r: Record<string, any>) => void) => {
        const r = JSON.parse(renderJson(whole));
        change(r);
        return refusal([{ source: 'r.json', text: JSON.stringify(r) }]);
      };
      expect(broken((r) => delete r.scenarios)).toBe('r.json: "scenarios" must be a list');
      expect(broken((r) => (r.scenarios[1].status = 'warn'))).toBe('r.json: scenarios[1] (auth/pkce-and-resource) has no valid status');
      expect(broken((r) => delete r.scenarios[0].checks[0].status)).toMatch(/^r\.json: scenarios\[0\] \(auth\/metadata-default\) has checks without/);
      expect(broken((r) => (r.summary.exitCode = 7))).toBe('r.json: "summary.exitCode" must be 0, 1, 2 or 3');
      expect(broken((r) => (r.startedAt = 'yesterday'))).toBe('r.json: "startedAt" must be a timestamp');
      expect(broken((r) => (r.shard = { index: 3, total: 2 }))).toMatch(/^r\.json: "shard" must be/);
      expect(broken((r) => (r.role = 'browser'))).toMatch(/^r\.json: "role" must be one of/);
    });

    it('reports of different runs', () => {
      const cases: Array<[Partial<Report>, RegExp]> = [
        [{ role: 'server' }, /^b: role server differs from client in a; only the parts of one run can be merged$/],
        [{ target: { command: 'node other.js' } }, /^b: target command "node other.js" differs from command "node \.\/my-client\.js" in a/],
        [{ specVersion: '2025-06-18' }, /^b: spec version 2025-06-18 differs from 2026-07-28 in a/],
        [{ strict: true }, /^b: strictness --strict differs from not --strict in a/],
        [{ tool: { name: 'mcp-auth-conformance', version: '0.2.0' } }, /^b: tool mcp-auth-conformance 0\.2\.0 differs from mcp-auth-conformance 0\.1\.0 in a/],
      ];
      for (const [change, message] of cases) expect(refusal([input(one(), 'a'), input({ ...two(), ...change }, 'b')])).toMatch(message);
    });

    it('a scenario in two reports', () => {
      expect(refusal([input(one(), 'a'), input(one(), 'b')])).toBe('b: shard 1/2 again (also a)');
      const { shard: _shard, ...unsharded } = one();
      expect(refusal([input(unsharded, 'a'), input(unsharded, 'b')])).toBe('b: scenario auth/metadata-default is also in a; each scenario may be in one report only');
    });

    it('an incomplete or muddled set of shards', () => {
      const parts = shards(whole, 4);
      expect(refusal([parts[0], parts[2]])).toBe('missing shards 2/4, 4/4; given 1/4 (shard-1/report.json), 3/4 (shard-3/report.json)');
      expect(refusal([parts[1], parts[2], parts[3]])).toBe('missing shard 1/4; given 2/4 (shard-2/report.json), 3/4 (shard-3/report.json), 4/4 (shard-4/report.json)');
      const { shard: _shard, ...unsharded } = two();
      expect(refusal([input(one(), 'a'), input(unsharded, 'b')])).toBe('b: not a shard, unlike a (shard 1/2); merge the shards of one run, or whole runs');
      expect(refusal([input(one(), 'a'), input(shardOf(whole, 2, 3), 'b')])).toBe('b: shard 2/3 is of a split into 3, a of a split into 2');
    });

    it('nothing at all', () => {
      expect(refusal([])).toBe('no reports to merge');
    });
  });

  it('writes shard reports and merged reports that report.schema.json accepts, and refuses a malformed shard field', () => {
    const schema = JSON.parse(readFileSync(new URL('../../reporters/report.schema.json', import.meta.url), 'utf8'));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    const validate = ajv.compile(schema);
    const parts = shards(sampleReport(), 3);
    for (const part of [...parts.map((p) => JSON.parse(p.text)), JSON.parse(renderJson(mergeReports(parts)))]) {
      validate(part);
      expect(validate.errors ?? []).toEqual([]);
    }
    const shard = JSON.parse(parts[0].text);
    expect(Object.keys(shard)).toEqual(['schema', 'schemaVersion', 'tool', 'role', 'target', 'specVersion', 'strict', 'startedAt', 'durationMs', 'interrupted', 'shard', 'summary', 'scenarios']);
    expect(validate({ ...shard, shard: { index: 0, total: 2 } })).toBe(false);
    expect(validate({ ...shard, shard: { index: 1 } })).toBe(false);
    expect(validate({ ...shard, shard: { index: 1, total: 2, of: 'x' } })).toBe(false);
  });

  it('recounts with the summary functions the engines use', () => {
    const merged = mergeReports(shards(sampleReport(), 2));
    const { exitCode: _exitCode, ...counts } = merged.summary;
    expect(counts).toEqual(summarize(merged.scenarios, merged.summary.staleExpectedFailures));
  });
});

import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { applyExpectedFailures, parseExpectedFailures } from '../../core/expected-failures.js';
import type { Report } from '../../core/report.js';
import { renderJson, REPORT_JSON_SCHEMA_ID } from '../../reporters/json.js';
import { deadOnArrivalReport, interruptedReport, sampleReport } from '../support/report-fixtures.js';

const schema = JSON.parse(readFileSync(new URL('../../reporters/report.schema.json', import.meta.url), 'utf8'));

function validator() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  // ajv-formats is not a dependency; this is enough to hold startedAt to an ISO timestamp.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  return ajv.compile(schema);
}

/** The same data with every typed object's keys in reverse order (header maps and knobs left alone). */
function shuffled<T>(value: T, key = ''): T {
  if (Array.isArray(value)) return value.map((v) => shuffled(v)) as T;
  if (!value || typeof value !== 'object' || key === 'headers' || key === 'knobs') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, shuffled(v, k)])) as T;
}

const baselined = () =>
  applyExpectedFailures(
    sampleReport(),
    parseExpectedFailures('client:\n  - auth/pkce-and-resource:pkce-s256\n  - auth/metadata-default:prm-fetched\n', 'b.yml'),
  );

describe('JSON reporter', () => {
  it('round-trips the report', () => {
    const stopped = { ...deadOnArrivalReport(), stoppedEarly: 'the client sent no request at all in the first 2 scenarios' };
    for (const r of [sampleReport(), interruptedReport(), baselined(), deadOnArrivalReport(), stopped]) {
      expect(JSON.parse(renderJson(r))).toEqual(r);
    }
  });

  it('is pretty and writes keys in the order of the types, whatever order they were built in', () => {
    const r = sampleReport();
    const text = renderJson(r);
    expect(text.startsWith('{\n  "schema": "mcp-auth-conformance/report",\n  "schemaVersion": 2,\n  "tool": {')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(renderJson(shuffled(r))).toBe(text);
    const parsed = JSON.parse(text) as Report;
    expect(Object.keys(parsed)).toEqual([
      'schema', 'schemaVersion', 'tool', 'role', 'target', 'specVersion', 'strict', 'startedAt', 'durationMs', 'interrupted', 'summary', 'scenarios',
    ]);
    expect(Object.keys(parsed.summary)).toEqual(['scenarios', 'checks', 'staleExpectedFailures', 'exitCode']);
    expect(Object.keys(parsed.scenarios[1])).toEqual([
      'id', 'title', 'description', 'status', 'protocolVersion', 'durationMs', 'processes', 'checks', 'world', 'exchanges',
    ]);
    expect(Object.keys(parsed.scenarios[4])).toContain('skipReason');
    expect(Object.keys(parsed.scenarios[1].checks[1])).toEqual([
      'id', 'title', 'requirements', 'level', 'specVersions', 'specLinks', 'status', 'message', 'evidence',
    ]);
    expect(Object.keys(parsed.scenarios[1].exchanges[0])).toEqual(['id', 'at', 'durationMs', 'actor', 'server', 'role', 'request', 'response']);
  });

  it('leaves optional fields out rather than writing null', () => {
    const text = renderJson(sampleReport());
    expect(text).not.toContain('"expectedFailure"');
    expect(text).not.toContain('"spawnError"');
    expect(renderJson(baselined())).toContain('"expectedFailure": true');
  });
});

describe('report.schema.json', () => {
  it('is a draft 2020-12 schema with the advertised id that compiles in strict mode', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(REPORT_JSON_SCHEMA_ID);
    expect(() => validator()).not.toThrow();
  });

  it('accepts realistic reports as rendered', () => {
    const validate = validator();
    const stopped = { ...deadOnArrivalReport(), stoppedEarly: 'the client sent no request at all in the first 2 scenarios' };
    for (const r of [sampleReport(), interruptedReport(), baselined(), deadOnArrivalReport(), stopped]) {
      const ok = validate(JSON.parse(renderJson(r)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('accepts a process that could not be started and an exchange without a response', () => {
    const r = sampleReport();
    r.scenarios[2].processes[0] = { ...r.scenarios[2].processes[0], exitCode: null, spawnError: 'spawn my-client ENOENT' };
    delete r.scenarios[2].exchanges[0].response;
    r.summary.exitCode = 3;
    const validate = validator();
    expect(validate(JSON.parse(renderJson(r)))).toBe(true);
  });

  it('rejects what the types do not allow', () => {
    const validate = validator();
    const mutate = (change: (r: Record<string, any>) => void) => {
      const r = JSON.parse(renderJson(sampleReport()));
      change(r);
      return validate(r);
    };
    expect(mutate(() => {})).toBe(true);
    expect(mutate((r) => (r.schemaVersion = 1))).toBe(false);
    expect(mutate((r) => (r.schema = 'something/else'))).toBe(false);
    expect(mutate((r) => (r.extra = true))).toBe(false);
    expect(mutate((r) => delete r.interrupted)).toBe(false);
    expect(mutate((r) => (r.summary.exitCode = 4))).toBe(false);
    expect(mutate((r) => (r.scenarios[0].status = 'warn'))).toBe(false);
    expect(mutate((r) => (r.scenarios[1].checks[0].status = 'info'))).toBe(false);
    expect(mutate((r) => (r.scenarios[1].checks[0].level = 'MAY'))).toBe(false);
    expect(mutate((r) => (r.scenarios[1].checks[0].cause = 'client-process'))).toBe(false);
    expect(mutate((r) => delete r.summary.checks.notReached)).toBe(false);
    expect(mutate((r) => (r.scenarios[1].checks[1].evidence[0].exchange = 0))).toBe(false);
    expect(mutate((r) => (r.scenarios[1].exchanges[0].role = 'userinfo'))).toBe(false);
    expect(mutate((r) => (r.scenarios[1].exchanges[0].request.headers.accept = 1))).toBe(false);
    expect(mutate((r) => (r.scenarios[1].world.endpoints.userinfo = 'x'))).toBe(false);
    expect(mutate((r) => (r.startedAt = 'yesterday'))).toBe(false);
    expect(mutate((r) => (r.scenarios[2].processes[0].exitCode = 1.5))).toBe(false);
  });
});

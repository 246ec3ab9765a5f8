// Joins the reports of a split run (--shard i/n on several machines) into the report one machine
// would have written. Nothing here reads files: the command hands in each report's text and the
// name to blame, so every refusal can say which input is wrong and why.
import { REPORT_SCHEMA, REPORT_SCHEMA_VERSION, type ExitCode, type Report } from './report.js';
import { formatShard } from './shard.js';
import { exitCodeOf, summarize } from './summary.js';

/** A report to merge: its JSON text, and the name it is known by (a path) for messages. */
export interface ReportInput {
  source: string;
  text: string;
}

/** The inputs cannot be merged; the message names the input at fault and what is wrong with it. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

const ROLES: readonly Report['role'][] = ['client', 'server', 'authorization-server'];
const SCENARIO_STATUSES = ['pass', 'fail', 'skip'];
const CHECK_STATUSES = ['pass', 'fail', 'warn', 'skip', 'not-reached'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Parses one input and checks what merging relies on: that it is a report of this schema version,
 * and the fields the merged summary is recomputed from. The rest of the document is carried over
 * as it is; its writer was this kit, and the JSON Schema describes it in full.
 */
export function parseReport(input: ReportInput): Report {
  const fail = (what: string): never => {
    throw new MergeError(`${input.source}: ${what}`);
  };
  let data: unknown;
  try {
    data = JSON.parse(input.text);
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`);
  }
  if (!isObject(data) || data.schema !== REPORT_SCHEMA) return fail(`not an mcp-auth-conformance report (no "schema": "${REPORT_SCHEMA}")`);
  if (data.schemaVersion !== REPORT_SCHEMA_VERSION) return fail(`report schema version ${JSON.stringify(data.schemaVersion)}; this version of the kit merges version ${REPORT_SCHEMA_VERSION} only`);

  const tool = data.tool;
  if (!isObject(tool) || typeof tool.name !== 'string' || typeof tool.version !== 'string') fail('"tool" must hold a name and a version');
  if (!ROLES.includes(data.role as Report['role'])) fail(`"role" must be one of ${ROLES.join(', ')}`);
  const target = data.target;
  if (!isObject(target) || (typeof target.command !== 'string' && typeof target.url !== 'string')) fail('"target" must hold a command or a url');
  if (typeof data.specVersion !== 'string') fail('"specVersion" must be a string');
  if (typeof data.strict !== 'boolean') fail('"strict" must be true or false');
  if (typeof data.startedAt !== 'string' || Number.isNaN(Date.parse(data.startedAt))) fail('"startedAt" must be a timestamp');
  if (typeof data.durationMs !== 'number' || !(data.durationMs >= 0)) fail('"durationMs" must be a number of milliseconds');
  if (typeof data.interrupted !== 'boolean') fail('"interrupted" must be true or false');
  if (data.stoppedEarly !== undefined && typeof data.stoppedEarly !== 'string') fail('"stoppedEarly" must be a string');
  if (data.shard !== undefined) {
    const shard = data.shard;
    if (!isObject(shard) || !isCount(shard.index) || !isCount(shard.total) || shard.index < 1 || shard.index > shard.total) fail('"shard" must be { index, total } with 1 ≤ index ≤ total');
  }
  const summary = data.summary;
  if (!isObject(summary)) return fail('"summary" is missing');
  if (!Array.isArray(summary.staleExpectedFailures) || !summary.staleExpectedFailures.every((e) => typeof e === 'string')) fail('"summary.staleExpectedFailures" must be a list of strings');
  if (![0, 1, 2, 3].includes(summary.exitCode as number)) fail('"summary.exitCode" must be 0, 1, 2 or 3');
  if (!Array.isArray(data.scenarios)) return fail('"scenarios" must be a list');
  data.scenarios.forEach((scenario: unknown, i) => {
    const where = `scenarios[${i}]`;
    if (!isObject(scenario) || typeof scenario.id !== 'string') return fail(`${where} has no id`);
    if (!SCENARIO_STATUSES.includes(scenario.status as string)) fail(`${where} (${scenario.id}) has no valid status`);
    if (!Array.isArray(scenario.checks) || !scenario.checks.every((c) => isObject(c) && typeof c.id === 'string' && CHECK_STATUSES.includes(c.status as string))) {
      fail(`${where} (${scenario.id}) has checks without an id or a valid status`);
    }
  });
  return data as unknown as Report;
}

interface Parsed {
  source: string;
  report: Report;
}

function sameTarget(a: Report['target'], b: Report['target']): boolean {
  // A server the kit started listens on a port of its own in each run: its command names it.
  if (a.command !== undefined || b.command !== undefined) return a.command === b.command;
  return a.url === b.url;
}

function describeTarget(target: Report['target']): string {
  return target.command !== undefined ? `command ${JSON.stringify(target.command)}` : `url ${target.url}`;
}

/** Refuses reports that are not parts of one run: another role, target, revision, strictness or kit. */
function checkCompatible(first: Parsed, other: Parsed): void {
  const a = first.report;
  const b = other.report;
  const differs = (what: string, theirs: string, ours: string): never => {
    throw new MergeError(`${other.source}: ${what} ${theirs} differs from ${ours} in ${first.source}; only the parts of one run can be merged`);
  };
  if (b.role !== a.role) differs('role', b.role, a.role);
  if (!sameTarget(a.target, b.target)) differs('target', describeTarget(b.target), describeTarget(a.target));
  if (b.specVersion !== a.specVersion) differs('spec version', b.specVersion, a.specVersion);
  if (b.strict !== a.strict) differs('strictness', b.strict ? '--strict' : 'not --strict', a.strict ? '--strict' : 'not --strict');
  if (b.tool.name !== a.tool.name || b.tool.version !== a.tool.version) differs('tool', `${b.tool.name} ${b.tool.version}`, `${a.tool.name} ${a.tool.version}`);
}

/**
 * Orders the parts of a sharded run by index and refuses an incomplete or muddled set: a merged
 * report that silently lacks a shard's scenarios would pass a run that never judged them.
 */
function orderShards(parts: Parsed[]): Parsed[] {
  const sharded = parts.filter((p) => p.report.shard !== undefined);
  if (sharded.length === 0) return parts;
  const whole = parts.find((p) => p.report.shard === undefined);
  if (whole) throw new MergeError(`${whole.source}: not a shard, unlike ${sharded[0].source} (shard ${formatShard(sharded[0].report.shard!)}); merge the shards of one run, or whole runs`);
  const total = sharded[0].report.shard!.total;
  const byIndex = new Map<number, Parsed>();
  for (const part of sharded) {
    const shard = part.report.shard!;
    if (shard.total !== total) throw new MergeError(`${part.source}: shard ${formatShard(shard)} is of a split into ${shard.total}, ${sharded[0].source} of a split into ${total}`);
    const earlier = byIndex.get(shard.index);
    if (earlier) throw new MergeError(`${part.source}: shard ${formatShard(shard)} again (also ${earlier.source})`);
    byIndex.set(shard.index, part);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0) {
    const have = [...byIndex.keys()].sort((x, y) => x - y).map((index) => `${index}/${total} (${byIndex.get(index)!.source})`);
    throw new MergeError(`missing ${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((index) => `${index}/${total}`).join(', ')}; given ${have.join(', ')}`);
  }
  return [...byIndex.values()].sort((x, y) => x.report.shard!.index - y.report.shard!.index);
}

/**
 * The report of the whole run, from the reports of its parts (the shards of one split run, or
 * whole runs of disjoint selections, in the order given).
 *
 * - Scenarios: each part's in its order, parts by shard index; a scenario may occur once only.
 * - startedAt: the earliest; durationMs: from then to the latest end (start + duration) of any
 *   part, the wall-clock time the whole took, whether the parts ran side by side or one by one.
 * - interrupted: any part's; stoppedEarly: every distinct reason, joined.
 * - Baselines were applied by each part to its own scenarios, so their expected-failure flags are
 *   kept. staleExpectedFailures is the union of the parts' lists, which is exact: a part never
 *   calls an entry stale for a scenario it did not run (absent scenarios prove nothing either way),
 *   and every scenario ran in one part only, so the part that ran it alone decided its entries.
 * - summary: recounted from the scenarios; exit code 3 when any part could not run the target,
 *   otherwise as for a single run (1 on any counted failure or stale entry).
 * - shard: absent, as for a whole run. target: the first part's; a started server's URL, which
 *   differs between runs, is kept only when every part has the same.
 */
export function mergeReports(inputs: readonly ReportInput[]): Report {
  if (inputs.length === 0) throw new MergeError('no reports to merge');
  const parsed = inputs.map((input) => ({ source: input.source, report: parseReport(input) }));
  for (const part of parsed.slice(1)) checkCompatible(parsed[0], part);
  const parts = orderShards(parsed);

  const seen = new Map<string, string>();
  for (const part of parts) {
    for (const scenario of part.report.scenarios) {
      const earlier = seen.get(scenario.id);
      if (earlier !== undefined) throw new MergeError(`${part.source}: scenario ${scenario.id} is also in ${earlier === part.source ? 'this report' : earlier}; each scenario may be in one report only`);
      seen.set(scenario.id, part.source);
    }
  }

  const reports = parts.map((p) => p.report);
  const first = reports[0];
  const scenarios = reports.flatMap((r) => r.scenarios);
  const stale = [...new Set(reports.flatMap((r) => r.summary.staleExpectedFailures))];
  const starts = reports.map((r) => Date.parse(r.startedAt));
  const began = Math.min(...starts);
  const ended = Math.max(...reports.map((r, i) => starts[i] + r.durationMs));
  const reasons = [...new Set(reports.flatMap((r) => (r.stoppedEarly !== undefined ? [r.stoppedEarly] : [])))];
  const urls = new Set(reports.map((r) => r.target.url));
  const target: Report['target'] =
    first.target.command === undefined ? { url: first.target.url! } : { command: first.target.command, ...(urls.size === 1 && first.target.url !== undefined ? { url: first.target.url } : {}) };

  const decided: ExitCode = reports.some((r) => r.summary.exitCode === 3) ? 3 : reports.some((r) => r.summary.exitCode === 2) ? 2 : 0;
  const summary: Report['summary'] = { ...summarize(scenarios, stale), exitCode: decided };
  summary.exitCode = exitCodeOf({ scenarios, summary });

  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: first.tool.name, version: first.tool.version },
    role: first.role,
    target,
    specVersion: first.specVersion,
    strict: first.strict,
    startedAt: new Date(began).toISOString(),
    durationMs: Math.max(0, Math.round(ended - began)),
    interrupted: reports.some((r) => r.interrupted),
    ...(reasons.length > 0 ? { stoppedEarly: reasons.join('; ') } : {}),
    summary,
    scenarios,
  };
}

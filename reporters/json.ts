// The report as JSON, for machines: CI steps, dashboards, diffing two runs. Keys come out in the
// order the types declare them whatever order the engine built the objects in, so two reports of
// the same run diff cleanly; the shape is described by report.schema.json next to this file.
import type { Evidence } from '../core/check.js';
import type { CheckResult, PropertyResult, Report, ScenarioResult } from '../core/report.js';
import type { Exchange, ProcessOutcome, RecordedRequest, RecordedResponse, WorldFacts } from '../core/trace.js';

/** The `$id` of report.schema.json; a URN, because the schema is shipped with the package rather than hosted. */
export const REPORT_JSON_SCHEMA_ID = 'urn:mcp-auth-conformance:schema:report:1';

export function renderJson(report: Report): string {
  return `${JSON.stringify(ordered(report), null, 2)}\n`;
}

/** Drops keys whose value is undefined, as JSON.stringify would, so optional fields stay absent. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function ordered(r: Report): Report {
  return {
    schema: r.schema,
    schemaVersion: r.schemaVersion,
    tool: { name: r.tool.name, version: r.tool.version },
    role: r.role,
    target: compact({ command: r.target.command, url: r.target.url }),
    specVersion: r.specVersion,
    strict: r.strict,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    interrupted: r.interrupted,
    ...(r.stoppedEarly !== undefined ? { stoppedEarly: r.stoppedEarly } : {}),
    ...(r.shard !== undefined ? { shard: { index: r.shard.index, total: r.shard.total } } : {}),
    summary: {
      scenarios: {
        total: r.summary.scenarios.total,
        passed: r.summary.scenarios.passed,
        failed: r.summary.scenarios.failed,
        skipped: r.summary.scenarios.skipped,
      },
      checks: {
        pass: r.summary.checks.pass,
        fail: r.summary.checks.fail,
        warn: r.summary.checks.warn,
        skip: r.summary.checks.skip,
        notReached: r.summary.checks.notReached,
        expectedFailures: r.summary.checks.expectedFailures,
      },
      staleExpectedFailures: [...r.summary.staleExpectedFailures],
      exitCode: r.summary.exitCode,
    },
    scenarios: r.scenarios.map(scenario),
  };
}

function scenario(s: ScenarioResult): ScenarioResult {
  return compact({
    id: s.id,
    title: s.title,
    description: s.description,
    status: s.status,
    skipReason: s.skipReason,
    protocolVersion: s.protocolVersion,
    durationMs: s.durationMs,
    processes: s.processes.map(processOutcome),
    checks: s.checks.map(check),
    world: s.world === undefined ? undefined : world(s.world),
    exchanges: s.exchanges.map(exchange),
    property: s.property === undefined ? undefined : propertyResult(s.property),
  });
}

function propertyResult(p: PropertyResult): PropertyResult {
  return compact({ runs: p.runs, seed: p.seed, path: p.path, counterexample: p.counterexample, shrinks: p.shrinks, replay: p.replay, outcomes: p.outcomes });
}

function check(c: CheckResult): CheckResult {
  return compact({
    id: c.id,
    title: c.title,
    requirements: [...c.requirements],
    level: c.level,
    specVersions: [...c.specVersions],
    specLinks: [...c.specLinks],
    status: c.status,
    message: c.message,
    evidence: c.evidence.map(evidence),
    expectedFailure: c.expectedFailure,
    cause: c.cause === undefined ? undefined : [...c.cause],
  });
}

function evidence(e: Evidence): Evidence {
  return compact({ exchange: e.exchange, part: e.part, note: e.note });
}

function processOutcome(p: ProcessOutcome): ProcessOutcome {
  return compact({
    actor: p.actor,
    command: p.command,
    exitCode: p.exitCode,
    signal: p.signal,
    timedOut: p.timedOut,
    spawnError: p.spawnError,
    durationMs: p.durationMs,
    stdoutTail: p.stdoutTail,
    stderrTail: p.stderrTail,
  });
}

function exchange(e: Exchange): Exchange {
  return compact({
    id: e.id,
    at: e.at,
    durationMs: e.durationMs,
    actor: e.actor,
    server: e.server,
    role: e.role,
    label: e.label,
    request: request(e.request),
    response: e.response === undefined ? undefined : response(e.response),
    error: e.error,
  });
}

function request(r: RecordedRequest): RecordedRequest {
  return compact({ method: r.method, url: r.url, headers: { ...r.headers }, body: r.body });
}

function response(r: RecordedResponse): RecordedResponse {
  return compact({ status: r.status, headers: { ...r.headers }, body: r.body });
}

function world(w: WorldFacts): WorldFacts {
  return compact({
    mcpUrl: w.mcpUrl,
    canonicalResource: w.canonicalResource,
    rsOrigin: w.rsOrigin,
    asOrigin: w.asOrigin,
    issuer: w.issuer,
    prmUrl: w.prmUrl,
    asMetadataUrls: [...w.asMetadataUrls],
    asMetadataProbeOrder: [...w.asMetadataProbeOrder],
    endpoints: compact({ authorize: w.endpoints.authorize, token: w.endpoints.token, register: w.endpoints.register, jwks: w.endpoints.jwks }),
    preRegistered: w.preRegistered === undefined ? undefined : compact({ client_id: w.preRegistered.client_id, client_secret: w.preRegistered.client_secret }),
    cimdUrl: w.cimdUrl,
    challengeScope: w.challengeScope,
    scopesSupported: w.scopesSupported === undefined ? undefined : [...w.scopesSupported],
    // The knobs are whatever the world was built from; they pass through verbatim.
    knobs: w.knobs,
  });
}

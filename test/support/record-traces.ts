// Records the saved traces under fixtures/traces/: every client scenario that applies at 2026-07-28,
// run once against the reference client through the engine, each trace written as
// `<scenario id with / replaced by __>.json`. The checks are then judged again from these files
// (test/checks/saved-traces.test.ts) without starting a process.
//
// Usage, from anywhere (the repository root is found from this file): npm run build, then
//   node dist/test/support/record-traces.js
// Exits 1 when a scenario did not pass against the reference client: such a trace is still written,
// so the failing check can be studied from it, but it is not a fixture to commit as it stands.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { runClientScenarios } from '../../core/engine.js';
import type { SpecVersion } from '../../core/spec.js';
import type { Trace } from '../../core/trace.js';
import { clientScenarios } from '../../suites/client/index.js';

const RECORDED_SPEC_VERSION: SpecVersion = '2026-07-28';
/** Relative, so that the command recorded in the trace names no directory of this machine. */
const REFERENCE_CLIENT_COMMAND = 'node dist/examples/clients/reference-client.js';

/** The fixture file name of a scenario: ids contain `/`, which a flat directory cannot hold. */
function traceFileName(scenarioId: string): string {
  return `${scenarioId.replaceAll('/', '__')}.json`;
}

/**
 * The repository root, found by its manifest rather than by a fixed number of `..`: this file runs
 * compiled from dist/test/support/ and, under tsx, from test/support/.
 */
function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mcp-auth-conformance') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('record-traces: cannot find the mcp-auth-conformance package root');
    dir = parent;
  }
}

/**
 * Directories of this machine that could surface in a trace (a client's crash prints its stack with
 * absolute file names, a state directory may be logged), longest first so that a directory inside
 * another is replaced by its own placeholder.
 */
function machineDirectories(root: string): Array<[string, string]> {
  const dirs: Array<[string, string]> = [
    [root, '<repo>'],
    [os.tmpdir(), '<tmp>'],
    [os.homedir(), '<home>'],
    [path.dirname(process.execPath), '<node-bin>'],
  ];
  return dirs.filter(([dir]) => dir.length > 1).sort((a, b) => b[0].length - a[0].length);
}

/**
 * Replaces machine directories in every string of a value with placeholders, so that a fixture says
 * nothing about where it was recorded. Returns how many strings were changed, which the script reports.
 */
function redactMachinePaths(value: unknown, dirs: Array<[string, string]>): { value: unknown; changed: number } {
  let changed = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let out = v;
      for (const [dir, placeholder] of dirs) {
        out = out.replaceAll(`file://${dir}`, `file://${placeholder}`).replaceAll(dir, placeholder);
      }
      if (out !== v) changed++;
      return out;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    return v;
  };
  return { value: walk(value), changed };
}

async function main(): Promise<number> {
  const root = repositoryRoot();
  // The client command is relative to the root and the engine spawns clients in this process's directory.
  process.chdir(root);
  if (!existsSync(path.join(root, 'dist/examples/clients/reference-client.js'))) {
    process.stderr.write('record-traces: dist/examples/clients/reference-client.js is missing; run npm run build first\n');
    return 2;
  }
  const outDir = path.join(root, 'fixtures', 'traces');
  const scenarios = clientScenarios.filter((s) => s.specVersions.includes(RECORDED_SPEC_VERSION));
  const traces = new Map<string, Trace>();

  const report = await runClientScenarios({
    command: REFERENCE_CLIENT_COMMAND,
    scenarios,
    specVersion: RECORDED_SPEC_VERSION,
    jobs: Math.max(1, Math.min(4, os.availableParallelism())),
    timeoutMs: 30_000,
    strict: false,
    // A copy: the engine goes on using its own trace, and nothing it does later may change the fixture.
    onTrace: (id, trace) => traces.set(id, structuredClone(trace)),
  });

  await mkdir(outDir, { recursive: true });
  // Traces of scenarios that no longer exist would otherwise linger and be judged by nothing.
  for (const name of await readdir(outDir)) {
    if (name.endsWith('.json')) await rm(path.join(outDir, name));
  }
  const dirs = machineDirectories(root);
  let failed = 0;
  for (const result of report.scenarios) {
    const trace = traces.get(result.id);
    if (!trace) {
      process.stderr.write(`record-traces: ${result.id} produced no trace (${result.skipReason ?? result.checks.map((c) => c.message).join('; ')})\n`);
      failed++;
      continue;
    }
    // Traces are plain data: anything JSON would drop or flatten (undefined, a class, a Map) means the
    // saved file would be judged differently from the live trace, which defeats the point of saving it.
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(trace)), trace)) {
      process.stderr.write(`record-traces: the trace of ${result.id} does not survive JSON unchanged\n`);
      failed++;
    }
    // Only what the processes said and the kit noted about them: the exchanges are loopback HTTP
    // traffic, and rewriting a substring there (a '/tmp' inside a base64 credential) would corrupt it.
    const events = redactMachinePaths(trace.events, dirs);
    const processes = redactMachinePaths(trace.processes, dirs);
    const value = { ...trace, events: events.value, processes: processes.value };
    const changed = events.changed + processes.changed;
    const file = path.join(outDir, traceFileName(result.id));
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
    const notes = changed ? ` (${changed} string(s) with machine paths redacted)` : '';
    process.stdout.write(`${result.status.padEnd(4)} ${path.relative(root, file)}: ${trace.exchanges.length} exchanges${notes}\n`);
    for (const check of result.checks.filter((c) => c.status !== 'pass')) {
      process.stdout.write(`       ${check.status} ${check.id}: ${check.message} ${JSON.stringify(check.evidence)}\n`);
    }
    // A warning is a SHOULD the reference client misses or a check misjudges: either way not a clean
    // fixture. A skip is not: an optional behaviour this scenario does not draw out of the reference
    // client (one authorization where freshness needs two) is printed above and left at that.
    if (result.checks.some((c) => c.status !== 'pass' && c.status !== 'skip')) failed++;
  }
  if (failed) process.stderr.write(`record-traces: ${failed} scenario(s) did not pass against the reference client\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();

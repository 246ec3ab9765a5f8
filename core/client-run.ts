// What the `client` command does, given parsed options. The bin only parses arguments and maps
// the result to an exit code; everything a test may want to drive lives here.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createProgress } from '../reporters/progress.js';
import { renderConsole } from '../reporters/console.js';
import { renderJson } from '../reporters/json.js';
import { renderJunit } from '../reporters/junit.js';
import { applyExpectedFailures, ExpectedFailuresError, parseExpectedFailures, type ExpectedFailures } from './expected-failures.js';
import { runClientScenarios, type PropertyOptions } from './engine.js';
import type { Report } from './report.js';
import type { ClientScenario } from './scenario.js';
import type { SelectableSpecVersion } from './spec.js';
import { selectScenarios, UsageError } from './select.js';

export const REPORTERS = ['console', 'json', 'junit'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** Exit code of a run cut short by SIGINT or SIGTERM (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

export interface ClientCommandOptions {
  command: string;
  scenarios: string[];
  suite: string;
  specVersion: SelectableSpecVersion;
  reporters: ReporterName[];
  outputDir: string;
  timeoutMs: number;
  jobs: number;
  strict: boolean;
  expectedFailures?: string;
  verbose: boolean;
  /** False with --no-color; colour is still used only on a terminal and without NO_COLOR. */
  color: boolean;
  /** --runs: cases per property scenario (each scenario's default when absent). */
  runs?: number;
  /** --seed: fast-check seed of property scenarios. */
  seed?: number;
  /** --no-shrink (false): report a property's first failing case as drawn. */
  shrink?: boolean;
  /** --replay: fast-check path of a counterexample; needs --seed and exactly one property scenario. */
  replay?: string;
}

interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CommandIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Relative paths (--output-dir, --expected-failures) are resolved against it. */
  cwd: string;
  signal?: AbortSignal;
}

/** Parses `--reporter console,json`; throws UsageError naming the valid reporters. */
export function parseReporters(value: string): ReporterName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--reporter needs at least one of ${REPORTERS.join(', ')}`);
  for (const name of names) {
    if (!(REPORTERS as readonly string[]).includes(name)) throw new UsageError(`unknown reporter "${name}"; valid reporters: ${REPORTERS.join(', ')}`);
  }
  return [...new Set(names)] as ReporterName[];
}

/** --runs: a positive whole number of cases. */
export function parseRuns(value: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--runs must be a positive whole number, not "${value}"`);
  return Number(text);
}

/** --seed: fast-check seeds are signed 32-bit integers; it reports negative ones too. */
export function parseSeed(value: string): number {
  const text = value.trim();
  const seed = Number(text);
  if (!/^-?\d+$/.test(text) || seed < -0x80000000 || seed > 0x7fffffff) throw new UsageError(`--seed must be a whole number between -2147483648 and 2147483647, not "${value}"`);
  return seed;
}

/** --replay: a fast-check counterexample path, numbers joined by colons ("3:0:1"). */
export function parseReplayPath(value: string): string {
  const text = value.trim();
  if (!/^\d+(?::\d+)*$/.test(text)) throw new UsageError(`--replay must be a counterexample path such as 3:0:1 (from a report's replay line), not "${value}"`);
  return text;
}

function isCi(env: NodeJS.ProcessEnv): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
}

function colorAllowed(stream: OutputStream, options: { color: boolean }, env: NodeJS.ProcessEnv): boolean {
  return options.color && stream.isTTY === true && !env.NO_COLOR;
}

async function loadExpectedFailures(file: string, cwd: string): Promise<ExpectedFailures> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read expected-failures file ${file}: ${reason}`);
  }
  try {
    return parseExpectedFailures(text, file);
  } catch (error) {
    if (error instanceof ExpectedFailuresError) throw new UsageError(`expected-failures file ${error.message}`);
    throw error;
  }
}

/**
 * --runs, --seed and --replay for the engine. A replay path leads to one case of one scenario's
 * search, found with one seed: without both, or among several property scenarios, it would replay
 * something else, so that is a usage error rather than a silent different run.
 */
function propertyOptions(options: ClientCommandOptions, scenarios: readonly ClientScenario[], io: CommandIo): PropertyOptions | undefined {
  const given = (['runs', 'seed', 'replay', 'shrink'] as const).filter((name) => options[name] !== undefined);
  if (given.length === 0) return undefined;
  // The bin parses these already; the checks here keep the programmatic entry point as strict.
  if (options.runs !== undefined) parseRuns(String(options.runs));
  if (options.seed !== undefined) parseSeed(String(options.seed));
  if (options.replay !== undefined) parseReplayPath(options.replay);
  const properties = scenarios.filter((scenario) => scenario.property !== undefined);
  if (options.replay !== undefined) {
    if (options.seed === undefined) throw new UsageError('--replay needs the --seed the counterexample was found with');
    if (properties.length !== 1) {
      const found = properties.length === 0 ? 'none is selected' : `${properties.length} are selected (${properties.map((s) => s.id).join(', ')})`;
      throw new UsageError(`--replay replays one property scenario's counterexample; select it with --scenario (${found})`);
    }
  }
  if (properties.length === 0) {
    const names = given.map((name) => (name === 'shrink' ? '--no-shrink' : `--${name}`)).join(', ');
    io.stderr.write(`mcp-auth-conformance: note: ${names} ${given.length === 1 ? 'applies' : 'apply'} to property scenarios only, and none is selected\n`);
  }
  return {
    ...(options.runs !== undefined ? { runs: options.runs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.replay !== undefined ? { replay: options.replay } : {}),
    ...(options.shrink === false ? { shrink: false } : {}),
  };
}

/** Runs the `client` command; returns the exit code. Configuration mistakes throw UsageError before anything runs. */
export async function runClientCommand(all: readonly ClientScenario[], options: ClientCommandOptions, io: CommandIo): Promise<number> {
  if (!options.command.trim()) throw new UsageError('the client command is empty');
  const scenarios = selectScenarios(all, { scenarios: options.scenarios, suite: options.suite });
  const property = propertyOptions(options, scenarios, io);
  const expected = options.expectedFailures ? await loadExpectedFailures(options.expectedFailures, io.cwd) : undefined;
  const outputDir = path.resolve(io.cwd, options.outputDir);
  const writesFiles = options.reporters.some((name) => name !== 'console');
  if (writesFiles) {
    // Found out now rather than after a long run whose results would then be lost.
    await mkdir(outputDir, { recursive: true }).catch((error: Error) => {
      throw new UsageError(`cannot create output directory ${options.outputDir}: ${error.message}`);
    });
  }

  const progress = createProgress({
    // CI logs are often attached to a pseudo-terminal yet cannot redraw a line.
    tty: io.stderr.isTTY === true && !isCi(io.env),
    write: (text) => io.stderr.write(text),
    color: colorAllowed(io.stderr, options, io.env),
    ...(io.stderr.columns ? { columns: io.stderr.columns } : {}),
  });
  let report: Report;
  try {
    report = await runClientScenarios({
      command: options.command,
      scenarios,
      specVersion: options.specVersion,
      jobs: options.jobs,
      timeoutMs: options.timeoutMs,
      strict: options.strict,
      ...(property ? { property } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onScenarioStart: (id) => progress.scenarioStarted(id),
      onScenarioFinish: (result) => progress.scenarioFinished(result),
    });
  } finally {
    progress.end();
  }
  if (expected) report = applyExpectedFailures(report, expected);
  // One line whatever the reporters: a run that stopped itself must say so where scripts look.
  if (report.stoppedEarly !== undefined) io.stderr.write(`mcp-auth-conformance: stopped early: ${report.stoppedEarly}\n`);

  if (options.reporters.includes('console')) {
    io.stdout.write(renderConsole(report, { color: colorAllowed(io.stdout, options, io.env), verbose: options.verbose, ...(io.stdout.columns ? { width: io.stdout.columns } : {}) }));
  }
  const files: Array<[string, () => string]> = [];
  if (options.reporters.includes('json')) files.push(['report.json', () => renderJson(report)]);
  if (options.reporters.includes('junit')) files.push(['junit.xml', () => renderJunit(report)]);
  for (const [name, render] of files) {
    const file = path.join(outputDir, name);
    try {
      await writeFile(file, render());
    } catch (error) {
      io.stderr.write(`mcp-auth-conformance: cannot write ${file}: ${(error as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`wrote ${path.relative(io.cwd, file) || file}\n`);
  }
  return report.interrupted ? INTERRUPTED_EXIT_CODE : report.summary.exitCode;
}

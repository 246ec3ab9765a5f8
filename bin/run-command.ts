// What the run commands do, given parsed options: select the scenarios, hand them to the engine of
// their role, apply the baseline, and pass the report to the reporters. The bin's entry point only
// parses arguments; everything a test may want to drive lives here.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createProgress, type Progress } from '../reporters/progress.js';
import { REPORTERS, writeReports, writesFiles, type ReporterName } from '../reporters/write.js';
import { applyExpectedFailures, ExpectedFailuresError, parseExpectedFailures, type ExpectedFailures } from '../core/expected-failures.js';
import { runClientScenarios, type PropertyOptions } from '../core/engine.js';
import type { Report } from '../core/report.js';
import type { AuthorizationServerScenario, ClientScenario, ScenarioBase, ServerScenario } from '../core/scenario.js';
import { runAuthorizationServerScenarios } from '../core/targets/authorization-server/run.js';
import { runServerScenarios } from '../core/targets/server/run.js';
import type { SelectableSpecVersion } from '../core/spec.js';
import { selectScenarios, UsageError } from '../core/select.js';
import { buildReport } from '../core/results.js';
import { formatShard, shardItems, type Shard } from '../core/shard.js';

export { REPORTERS, type ReporterName };

/** Exit code of a run cut short by SIGINT or SIGTERM (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/** What every run command takes. */
export interface RunCommandOptions {
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
  /** --shard: run only this part of the selected scenarios. */
  shard?: Shard;
}

export interface ClientCommandOptions extends RunCommandOptions {
  /** The client command; the MCP URL is appended as its last argument. */
  command: string;
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

export function colorAllowed(stream: OutputStream, options: { color: boolean }, env: NodeJS.ProcessEnv): boolean {
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
function propertyOptions(options: RunCommandOptions, scenarios: readonly (ScenarioBase & { property?: unknown })[], io: CommandIo): PropertyOptions | undefined {
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

/** What the role's engine is given besides the scenarios: the shared options and the progress hooks. */
export interface EngineCall<S> {
  scenarios: S[];
  property?: PropertyOptions;
  signal?: AbortSignal;
  onScenarioStart: (id: string) => void;
  onScenarioFinish: Progress['scenarioFinished'];
}

/**
 * The part every run command shares. Configuration mistakes throw UsageError before anything runs;
 * the report goes to the reporters whatever it says; the exit code is the report's.
 */
/**
 * Hands a finished report to the chosen reporters (the job summary too, under GitHub Actions) and
 * says how the command exits: 2 when a report could not be written, 130 for an interrupted run.
 */
export async function deliverReport(
  report: Report,
  options: Pick<RunCommandOptions, 'reporters' | 'verbose' | 'color'>,
  outputDir: string,
  io: CommandIo,
): Promise<number> {
  const written = await writeReports(
    report,
    {
      reporters: options.reporters,
      outputDir,
      verbose: options.verbose,
      color: colorAllowed(io.stdout, options, io.env),
      ...(io.stdout.columns ? { width: io.stdout.columns } : {}),
      cwd: io.cwd,
      ...(io.env.GITHUB_STEP_SUMMARY ? { stepSummary: io.env.GITHUB_STEP_SUMMARY } : {}),
    },
    io,
  );
  if (!written) return 2;
  return report.interrupted ? INTERRUPTED_EXIT_CODE : report.summary.exitCode;
}

export async function runSuiteCommand<S extends ScenarioBase & { property?: unknown }>(
  all: readonly S[],
  options: RunCommandOptions,
  io: CommandIo,
  engine: (call: EngineCall<S>) => Promise<Report>,
  /** What the report names when a shard has nothing to run and the engine is never called. */
  judged: Pick<Report, 'role' | 'target'>,
): Promise<number> {
  const selected = selectScenarios(all, { scenarios: options.scenarios, suite: options.suite });
  // Judged on the whole selection: every shard of a CI matrix gets the same flags, and a shard
  // without the property scenario must neither reject --replay nor note that --runs does nothing.
  const property = propertyOptions(options, selected, io);
  const scenarios = options.shard ? shardItems(selected, options.shard) : selected;
  const expected = options.expectedFailures ? await loadExpectedFailures(options.expectedFailures, io.cwd) : undefined;
  const outputDir = path.resolve(io.cwd, options.outputDir);
  if (writesFiles(options.reporters)) {
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
    if (scenarios.length === 0) {
      // Only a shard can come out empty (selection refuses to); its report still goes out, so that
      // merge-reports sees every shard of the matrix present rather than one missing.
      io.stderr.write(`mcp-auth-conformance: shard ${formatShard(options.shard!)} has no scenario (${selected.length} selected for ${options.shard!.total} shards); nothing to run\n`);
      report = buildReport({ ...judged, specVersion: options.specVersion, strict: options.strict, startedAt: new Date(), began: performance.now(), interrupted: false, scenarios: [], couldNotRun: false });
    } else {
      report = await engine({
        scenarios,
        ...(property ? { property } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
        onScenarioStart: (id) => progress.scenarioStarted(id),
        onScenarioFinish: (result) => progress.scenarioFinished(result),
      });
    }
  } finally {
    progress.end();
  }
  if (expected) report = applyExpectedFailures(report, expected);
  if (options.shard) report = { ...report, shard: { index: options.shard.index, total: options.shard.total } };
  // One line whatever the reporters: a run that stopped itself must say so where scripts look.
  if (report.stoppedEarly !== undefined) io.stderr.write(`mcp-auth-conformance: stopped early: ${report.stoppedEarly}\n`);

  return deliverReport(report, options, outputDir, io);
}

/** Runs the `client` command; returns the exit code. Configuration mistakes throw UsageError before anything runs. */
export async function runClientCommand(all: readonly ClientScenario[], options: ClientCommandOptions, io: CommandIo): Promise<number> {
  if (!options.command.trim()) throw new UsageError('the client command is empty');
  return runSuiteCommand(all, options, io, (call) =>
    runClientScenarios({
      command: options.command,
      specVersion: options.specVersion,
      jobs: options.jobs,
      timeoutMs: options.timeoutMs,
      strict: options.strict,
      ...call,
    }),
    { role: 'client', target: { command: options.command } },
  );
}

export interface ServerCommandOptions extends RunCommandOptions {
  /** The MCP URL of a server already running. */
  url?: string;
  /** The command that starts the server; the kit gives it PORT and the MCP_CONFORMANCE_* issuer variables. */
  command?: string;
  /** Where a started server serves MCP (default /mcp). */
  mcpPath?: string;
  asPort?: number;
  tokenFormat: 'jwt' | 'opaque';
  toolScopes: Record<string, string[]>;
  scopes: string[];
  /** Per request. */
  timeoutMs: number;
  startTimeoutMs: number;
}

/** --tool-scope "test-tool=mcp:write mcp:read": a tool and the scopes it needs. */
export function parseToolScope(value: string): [string, string[]] {
  const at = value.indexOf('=');
  const tool = value.slice(0, at).trim();
  const scopes = value.slice(at + 1).split(/[\s,]+/).filter(Boolean);
  if (at <= 0 || tool === '' || scopes.length === 0) throw new UsageError(`--tool-scope takes tool=scope (scopes separated by spaces), not "${value}"`);
  return [tool, scopes];
}

/** --url: an absolute http(s) URL of the MCP endpoint. */
export function parseServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url must be an absolute URL such as http://127.0.0.1:3000/mcp, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, not ${url.protocol}`);
  if (url.hash) throw new UsageError('--url must not have a fragment (RFC 8707: a resource identifier has none)');
  return url.href;
}

/** Runs the `server` command; returns the exit code. Configuration mistakes throw UsageError before anything runs. */
export async function runServerCommand(all: readonly ServerScenario[], options: ServerCommandOptions, io: CommandIo): Promise<number> {
  if ((options.url === undefined) === (options.command === undefined)) throw new UsageError('give the server as --url <mcp url> (running) or --command "<cmd>" (the kit starts it), one of the two');
  if (options.command !== undefined && !options.command.trim()) throw new UsageError('the server command is empty');
  if (options.url !== undefined && options.mcpPath !== undefined) throw new UsageError('--mcp-path goes with --command; with --url the URL names the path');
  if (options.url !== undefined && options.asPort === undefined) throw new UsageError('with --url, give --as-port: the port of the issuer (http://127.0.0.1:<port>) the running server was configured to trust');
  if (options.mcpPath !== undefined && !options.mcpPath.startsWith('/')) throw new UsageError(`--mcp-path must start with "/", not "${options.mcpPath}"`);
  const target = options.url !== undefined ? { url: parseServerUrl(options.url) } : { command: options.command!, ...(options.mcpPath ? { mcpPath: options.mcpPath } : {}) };
  return runSuiteCommand(all, options, io, (call) =>
    runServerScenarios({
      target,
      specVersion: options.specVersion,
      strict: options.strict,
      timeoutMs: options.timeoutMs,
      startTimeoutMs: options.startTimeoutMs,
      tokenFormat: options.tokenFormat,
      toolScopes: options.toolScopes,
      scopes: options.scopes,
      ...(options.asPort !== undefined ? { asPort: options.asPort } : {}),
      ...call,
    }),
    { role: 'server', target: 'url' in target ? { url: target.url } : { command: target.command } },
  );
}

export interface AuthorizationServerCommandOptions extends RunCommandOptions {
  /** The issuer of a server already running. */
  issuer?: string;
  /** The command that starts the server; the kit gives it PORT and the MCP_CONFORMANCE_* variables. */
  command?: string;
  /** The path of a started server's issuer (`/oidc`), when it has one. */
  issuerPath?: string;
  resource: string;
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  username?: string;
  loginCommand?: string;
  /** --no-redact: keep credentials in reports. */
  redact: boolean;
  timeoutMs: number;
  startTimeoutMs: number;
}

/** An absolute http(s) URL without a fragment, for --issuer, --resource and --redirect-uri. */
export function parseHttpUrl(option: string, value: string, example: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} must be an absolute URL such as ${example}, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} must be http or https, not ${url.protocol}`);
  if (url.hash || value.includes('#')) throw new UsageError(`${option} must not have a fragment`);
  return value;
}

/**
 * Runs the `authorization-server` command; returns the exit code. The password comes only from
 * MCP_CONFORMANCE_PASSWORD, never from argv, where other users of the machine could read it.
 */
export async function runAuthorizationServerCommand(all: readonly AuthorizationServerScenario[], options: AuthorizationServerCommandOptions, io: CommandIo): Promise<number> {
  if ((options.issuer === undefined) === (options.command === undefined)) throw new UsageError('give the authorization server as --issuer <url> (running) or --command "<cmd>" (the kit starts it), one of the two');
  if (options.command !== undefined && !options.command.trim()) throw new UsageError('the authorization server command is empty');
  if (options.issuer !== undefined && options.issuerPath !== undefined) throw new UsageError('--issuer-path goes with --command; with --issuer the URL names the path');
  if (options.issuerPath !== undefined && !options.issuerPath.startsWith('/')) throw new UsageError(`--issuer-path must start with "/", not "${options.issuerPath}"`);
  const clientSecret = options.clientSecret ?? (io.env.MCP_CONFORMANCE_CLIENT_SECRET || undefined);
  if (options.clientSecret !== undefined && options.clientId === undefined) throw new UsageError('--client-secret needs --client-id');
  if (options.loginCommand !== undefined && !options.loginCommand.trim()) throw new UsageError('the login command is empty');
  const password = io.env.MCP_CONFORMANCE_PASSWORD;
  if (options.username !== undefined && (password === undefined || password === '') && options.loginCommand === undefined) {
    throw new UsageError('--username needs the password in MCP_CONFORMANCE_PASSWORD (never on the command line)');
  }
  const target = options.issuer !== undefined ? { issuer: parseHttpUrl('--issuer', options.issuer, 'http://127.0.0.1:9000') } : { command: options.command!, ...(options.issuerPath ? { issuerPath: options.issuerPath } : {}) };
  return runSuiteCommand(all, options, io, (call) =>
    runAuthorizationServerScenarios({
      target,
      specVersion: options.specVersion,
      strict: options.strict,
      resource: parseHttpUrl('--resource', options.resource, 'http://127.0.0.1:3000/mcp'),
      redirectUri: parseHttpUrl('--redirect-uri', options.redirectUri, 'http://127.0.0.1:45781/callback'),
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.clientId !== undefined ? { client: { clientId: options.clientId, ...(clientSecret !== undefined ? { clientSecret } : {}) } } : {}),
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(password ? { password } : {}),
      ...(options.loginCommand !== undefined ? { loginCommand: options.loginCommand } : {}),
      timeoutMs: options.timeoutMs,
      startTimeoutMs: options.startTimeoutMs,
      redact: options.redact,
      ...call,
    }),
    { role: 'authorization-server', target: 'issuer' in target ? { url: target.issuer } : { command: target.command } },
  );
}

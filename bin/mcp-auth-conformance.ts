#!/usr/bin/env node
// Arguments in, exit code out. Every usage mistake is one line on stderr and exit code 2.
import os from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { killAllClients } from '../core/targets/client/process.js';
import {
  INTERRUPTED_EXIT_CODE,
  parseReplayPath,
  parseReporters,
  parseRuns,
  parseSeed,
  REPORTERS,
  runClientCommand,
  parseServerUrl,
  parseToolScope,
  runServerCommand,
  runAuthorizationServerCommand,
  parseHttpUrl,
  type AuthorizationServerCommandOptions,
  type ClientCommandOptions,
  type RunCommandOptions,
  type ServerCommandOptions,
} from './run-command.js';
import { runMergeCommand } from './merge-command.js';
import { registerMockCommand } from './mock-command.js';
import { clientProcessCheck, toolInfo } from '../core/engine.js';
import type { ClientScenario, ScenarioBase } from '../core/scenario.js';
import { serverAvailableCheck } from '../core/targets/server/run.js';
import { authorizationServerAvailableCheck, DEFAULT_REDIRECT_URI, DEFAULT_RESOURCE } from '../core/targets/authorization-server/run.js';
import { authorizationServerScenarios } from '../suites/authorization-server/index.js';
import { listScenarios } from '../core/list.js';
import { nearMatches, UsageError } from '../core/select.js';
import { parseShard, type Shard } from '../core/shard.js';
import { LATEST_SPEC_VERSION, SELECTABLE_SPEC_VERSIONS, type SelectableSpecVersion } from '../core/spec.js';
import { clientScenarios } from '../suites/client/index.js';
import { serverScenarios } from '../suites/server/index.js';
import { requirementCatalogue } from '../suites/requirements.js';

const NAME = 'mcp-auth-conformance';
const USAGE_EXIT_CODE = 2;
const COMMANDS = ['client', 'server', 'authorization-server', 'list', 'merge-reports', 'mock'];

const EXIT_CODES = `
Exit codes:
  0    every required check passed
  1    a required check failed (or a baseline entry is stale)
  2    usage or configuration error
  3    the target could not be run: the client command (or it never contacted the world), the server (it did not start or nothing listens at --url), or the authorization server (it did not start, nothing listens at --issuer, or the kit could not complete a login)
  70   internal error of the kit itself (a bug worth reporting)
  130  interrupted (SIGINT, SIGTERM, SIGHUP); reports hold the scenarios that finished`;

function usageLine(message: string): void {
  const text = message
    .replace(/^error:\s*/i, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  process.stderr.write(`${NAME}: ${text}\n`);
}

function positiveInteger(what: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError(`${what} must be a positive whole number.`);
    return Number(value);
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function reporterList(value: string, previous: string[] | undefined): string[] {
  try {
    return [...(previous ?? []), ...parseReporters(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Commander's way of rejecting a value, from one of the shared parsers' usage errors. */
function parsedBy<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** The options every run command takes. */
function addCommonOptions(command: Command): Command {
  return command
    .option('--scenario <id>', 'run only this scenario (repeatable)', collect)
    .option('--suite <name>', 'run the scenarios of this suite', 'all')
    .option('--shard <i/n>', 'run only the i-th of n equal, contiguous parts of the selected scenarios (CI machines in parallel; join with merge-reports)', parsedBy(parseShard))
    .addOption(
      new Option('--spec-version <version>', 'MCP specification revision to test against')
        .choices(SELECTABLE_SPEC_VERSIONS)
        .default(LATEST_SPEC_VERSION),
    )
    .option('--reporter <list>', `comma-separated reporters: ${REPORTERS.join(', ')} (default: console)`, reporterList)
    .option('--output-dir <dir>', 'where the json (report.json), junit (junit.xml), markdown (report.md, also appended to $GITHUB_STEP_SUMMARY when set) and html (report.html) reporters write', 'results')
    .option('--strict', 'SHOULD requirements fail instead of warning')
    .option('--expected-failures <file>', 'YAML baseline of known failures to tolerate')
    .option('--runs <n>', 'cases per property scenario (race scenarios; default: the scenario\'s own)', parsedBy(parseRuns))
    .option('--seed <n>', 'fast-check seed of property scenarios (printed by every run)', parsedBy(parseSeed))
    .option('--replay <path>', 'run a property scenario\'s counterexample first (path from a report\'s replay line; needs --seed)', parsedBy(parseReplayPath))
    .option('--no-shrink', 'report the first failing case of a property scenario as drawn, without shrinking it (faster)')
    .option('--verbose', 'show every check, exchange logs and whole output tails')
    .option('--no-color', 'no ANSI colours (also off when not a terminal or with NO_COLOR)');
}

/** The client commands' options: the common ones, and how client processes are run. */
function addRunOptions(command: Command): Command {
  return addCommonOptions(command)
    .option('--timeout <ms>', 'kill a client process still running after this many milliseconds', positiveInteger('--timeout'), 30_000)
    .option('--jobs <n>', 'scenarios run at once', positiveInteger('--jobs'), os.availableParallelism());
}

interface RunFlags {
  scenario?: string[];
  suite: string;
  specVersion: SelectableSpecVersion;
  reporter?: string[];
  outputDir: string;
  timeout: number;
  jobs: number;
  strict?: boolean;
  expectedFailures?: string;
  verbose?: boolean;
  color: boolean;
  runs?: number;
  seed?: number;
  replay?: string;
  shrink: boolean;
  shard?: Shard;
}

interface ServerFlags extends Omit<RunFlags, 'jobs'> {
  url?: string;
  command?: string;
  mcpPath?: string;
  asPort?: number;
  tokenFormat: 'jwt' | 'opaque';
  toolScope?: Array<[string, string[]]>;
  scope?: string[];
  startTimeout: number;
}

interface AuthorizationServerFlags extends Omit<RunFlags, 'jobs'> {
  issuer?: string;
  command?: string;
  issuerPath?: string;
  resource: string;
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  username?: string;
  loginCommand?: string;
  redact: boolean;
  startTimeout: number;
}

function commonOptions(flags: Omit<RunFlags, 'jobs' | 'timeout'>): Omit<RunCommandOptions, 'jobs' | 'timeoutMs'> {
  return {
    scenarios: flags.scenario ?? [],
    suite: flags.suite,
    specVersion: flags.specVersion,
    reporters: flags.reporter ? ([...new Set(flags.reporter)] as RunCommandOptions['reporters']) : ['console'],
    outputDir: flags.outputDir,
    strict: flags.strict === true,
    ...(flags.expectedFailures ? { expectedFailures: flags.expectedFailures } : {}),
    verbose: flags.verbose === true,
    color: flags.color,
    ...(flags.runs !== undefined ? { runs: flags.runs } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.replay !== undefined ? { replay: flags.replay } : {}),
    ...(flags.shrink === false ? { shrink: false } : {}),
    ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
  };
}

/**
 * Runs a command until it ends; the first SIGINT, SIGTERM or SIGHUP stops it and keeps what finished
 * (a closed terminal must not leave target processes running), the second exits at once.
 */
async function interruptible(run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let received = 0;
  const onSignal = (): void => {
    received++;
    if (received === 1) {
      process.stderr.write(`\n${NAME}: interrupted; stopping the targets and writing what finished (again to quit now)\n`);
      controller.abort();
      return;
    }
    killAllClients();
    process.exit(INTERRUPTED_EXIT_CODE);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const name of signals) process.on(name, onSignal);
  try {
    return await run(controller.signal);
  } finally {
    for (const name of signals) process.off(name, onSignal);
  }
}

function io(signal: AbortSignal) {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal };
}

async function runServer(flags: ServerFlags): Promise<number> {
  const options: ServerCommandOptions = {
    ...commonOptions(flags),
    jobs: 1,
    ...(flags.url !== undefined ? { url: flags.url } : {}),
    ...(flags.command !== undefined ? { command: flags.command } : {}),
    ...(flags.mcpPath !== undefined ? { mcpPath: flags.mcpPath } : {}),
    ...(flags.asPort !== undefined ? { asPort: flags.asPort } : {}),
    tokenFormat: flags.tokenFormat,
    toolScopes: Object.fromEntries(flags.toolScope ?? []),
    scopes: flags.scope ?? [],
    timeoutMs: flags.timeout,
    startTimeoutMs: flags.startTimeout,
  };
  return interruptible((signal) => runServerCommand(serverScenarios, options, io(signal)));
}

async function runAuthorizationServer(flags: AuthorizationServerFlags): Promise<number> {
  const options: AuthorizationServerCommandOptions = {
    ...commonOptions(flags),
    jobs: 1,
    ...(flags.issuer !== undefined ? { issuer: flags.issuer } : {}),
    ...(flags.command !== undefined ? { command: flags.command } : {}),
    ...(flags.issuerPath !== undefined ? { issuerPath: flags.issuerPath } : {}),
    resource: flags.resource,
    redirectUri: flags.redirectUri,
    ...(flags.clientId !== undefined ? { clientId: flags.clientId } : {}),
    ...(flags.clientSecret !== undefined ? { clientSecret: flags.clientSecret } : {}),
    ...(flags.scope !== undefined ? { scope: flags.scope } : {}),
    ...(flags.username !== undefined ? { username: flags.username } : {}),
    ...(flags.loginCommand !== undefined ? { loginCommand: flags.loginCommand } : {}),
    redact: flags.redact,
    timeoutMs: flags.timeout,
    startTimeoutMs: flags.startTimeout,
  };
  return interruptible((signal) => runAuthorizationServerCommand(authorizationServerScenarios, options, io(signal)));
}

async function runClient(command: string, flags: RunFlags): Promise<number> {
  const options: ClientCommandOptions = { ...commonOptions(flags), command, timeoutMs: flags.timeout, jobs: flags.jobs };
  return interruptible((signal) => runClientCommand(clientScenarios, options, io(signal)));
}

async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command(NAME)
    .description('Conformance suite for MCP authorization: runs an MCP client against a mock world, probes an MCP server as an OAuth resource server, or an authorization server, and judges what it did.')
    .version(toolInfo().version, '-V, --version')
    .usage('[options] | client --command "<cmd>" [options] | server (--url <url> | --command "<cmd>") [options] | authorization-server (--issuer <url> | --command "<cmd>") [options] | list [options] | merge-reports <report.json|dir...> [options] | mock [options]')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (message) => usageLine(message) })
    .addHelpText('after', EXIT_CODES);

  // The optional argument only catches a mistyped command name, which commander would call "too many arguments".
  addRunOptions(program.argument('[command]').option('--client <cmd>', 'short form of: client --command <cmd>')).action(async (stray: string | undefined, flags: RunFlags & { client?: string }) => {
    if (stray !== undefined) {
      const near = nearMatches(stray, COMMANDS);
      throw new UsageError(`unknown command "${stray}"${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}; commands: ${COMMANDS.join(', ')}`);
    }
    if (flags.client === undefined) throw new UsageError(`missing --client "<command>" (or a command: ${COMMANDS.join(', ')}; see --help)`);
    exitCode = await runClient(flags.client, flags);
  });

  addRunOptions(
    program
      .command('client')
      .description('run an MCP client against every selected scenario')
      .requiredOption('--command <cmd>', 'the client command; the MCP server URL is appended as its last argument'),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (flags: RunFlags & { command: string }) => {
      exitCode = await runClient(flags.command, flags);
    });

  addCommonOptions(
    program
      .command('server')
      .description('probe an MCP server as an OAuth resource server that trusts the kit\'s authorization server')
      .option('--url <url>', 'the MCP endpoint of a server already running (configure it with the issuer on --as-port)', parsedBy(parseServerUrl))
      .option('--command <cmd>', 'start the server with this command; it gets PORT and the MCP_CONFORMANCE_* issuer variables, and is stopped after')
      .option('--mcp-path <path>', 'where a started server serves MCP (default /mcp)')
      .option('--as-port <port>', 'run the kit\'s authorization server on this port (for --url targets configured with it)', positiveInteger('--as-port'))
      .addOption(new Option('--token-format <format>', 'access tokens the server validates: JWTs against the JWKS, or opaque ones by introspection').choices(['jwt', 'opaque']).default('jwt'))
      .option('--tool-scope <tool=scopes>', 'a tool and the scopes it needs (repeatable): calls without them must get 403', (value: string, previous: Array<[string, string[]]> | undefined) => [...(previous ?? []), parsedBy(parseToolScope)(value)])
      .option('--scope <scope>', 'a scope every valid token should carry besides those the server advertises (repeatable)', collect)
      .option('--timeout <ms>', 'a request the server has not answered after this many milliseconds counts as unanswered', positiveInteger('--timeout'), 10_000)
      .option('--start-timeout <ms>', 'how long a started server may take to listen', positiveInteger('--start-timeout'), 30_000),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (flags: ServerFlags) => {
      exitCode = await runServer(flags);
    });

  addCommonOptions(
    program
      .command('authorization-server')
      .description('judge an OAuth authorization server as MCP clients and their users meet it, headlessly')
      .option('--issuer <url>', 'the issuer of an authorization server already running', parsedBy((value) => parseHttpUrl('--issuer', value, 'http://127.0.0.1:9000')))
      .option('--command <cmd>', 'start the authorization server with this command; it gets PORT and the MCP_CONFORMANCE_* variables, the kit waits for its metadata and stops it after')
      .option('--issuer-path <path>', 'the path of a started server\'s issuer, if it has one (/oidc)')
      .option('--resource <url>', 'the MCP server URL tokens are asked for (RFC 8707)', DEFAULT_RESOURCE)
      .option('--redirect-uri <url>', 'the redirect URI the kit registers and authorizes with (nothing needs to listen there)', DEFAULT_REDIRECT_URI)
      .option('--client-id <id>', 'act as this client instead of registering one (a server without open registration)')
      .option('--client-secret <secret>', 'its secret, for a confidential client (or MCP_CONFORMANCE_CLIENT_SECRET)')
      .option('--scope <scopes>', 'the scope to ask for in authorization requests')
      .option('--username <name>', 'log in as this user on the login forms the kit finds (the password comes from MCP_CONFORMANCE_PASSWORD)')
      .option('--login-command <cmd>', 'complete each authorization with this command: it gets the authorization URL as its last argument and prints the final redirect URL')
      .option('--no-redact', 'keep client secrets, codes, tokens and passwords in reports (they are replaced by fingerprints by default)')
      .option('--timeout <ms>', 'a request the authorization server has not answered after this many milliseconds counts as unanswered', positiveInteger('--timeout'), 10_000)
      .option('--start-timeout <ms>', 'how long a started server may take until its metadata answers', positiveInteger('--start-timeout'), 30_000),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (flags: AuthorizationServerFlags) => {
      exitCode = await runAuthorizationServer(flags);
    });

  program
    .command('list')
    .description('print every scenario with its checks, requirement ids and spec versions')
    .option('--json', 'as JSON')
    .addOption(new Option('--role <role>', 'only the scenarios that judge clients, servers, or authorization servers').choices(['client', 'server', 'authorization-server', 'all']).default('all'))
    .option('--suite <name>', 'only the scenarios of this suite', 'all')
    .addOption(new Option('--spec-version <version>', 'only what applies at this revision').choices(SELECTABLE_SPEC_VERSIONS))
    .option('--requirement <id>', 'print this requirement (C-PKCE-03...): its text, source and the checks that test it (repeatable)', collect)
    .action((flags: { json?: boolean; role: 'client' | 'server' | 'authorization-server' | 'all'; suite: string; specVersion?: SelectableSpecVersion; requirement?: string[] }) => {
      const wanted = (role: typeof flags.role): boolean => flags.role === 'all' || flags.role === role;
      const scenarios: ScenarioBase[] = [...(wanted('client') ? clientScenarios : []), ...(wanted('server') ? serverScenarios : []), ...(wanted('authorization-server') ? authorizationServerScenarios : [])];
      const serverIds = new Set(serverScenarios.map((scenario) => scenario.id));
      const authorizationServerIds = new Set(authorizationServerScenarios.map((scenario) => scenario.id));
      process.stdout.write(
        listScenarios(scenarios, requirementCatalogue(), {
          suite: flags.suite,
          json: flags.json === true,
          ...(flags.specVersion ? { specVersion: flags.specVersion } : {}),
          ...(flags.requirement ? { requirements: flags.requirement } : {}),
          // Each role's engine judges its own check beside the scenario's: listed first, as judged.
          engineChecks: (scenario) =>
            serverIds.has(scenario.id) ? [serverAvailableCheck()] : authorizationServerIds.has(scenario.id) ? [authorizationServerAvailableCheck()] : [clientProcessCheck((scenario as ClientScenario).clientRefuses === true)],
        }),
      );
    });

  program
    .command('merge-reports')
    .description('merge the report.json files of the shards of one run (--shard) into one report, written by the chosen reporters')
    .argument('<reports...>', 'report.json files, or directories searched for them (downloaded CI artifacts)')
    .option('--reporter <list>', `comma-separated reporters: ${REPORTERS.join(', ')} (default: console)`, reporterList)
    .option('--output-dir <dir>', 'where the file-writing reporters write', 'results')
    .option('--verbose', 'show every check, exchange logs and whole output tails')
    .option('--no-color', 'no ANSI colours (also off when not a terminal or with NO_COLOR)')
    .addHelpText('after', `
Exit codes:
  0, 1, 3  as the whole run would have exited (see mcp-auth-conformance --help); 130 when a part was interrupted
  2        an input is not a report, or the reports are not the parts of one run (one line on stderr)`)
    .action(async (inputs: string[], flags: { reporter?: string[]; outputDir: string; verbose?: boolean; color: boolean }) => {
      exitCode = await runMergeCommand(
        {
          inputs,
          reporters: flags.reporter ? ([...new Set(flags.reporter)] as RunCommandOptions['reporters']) : ['console'],
          outputDir: flags.outputDir,
          verbose: flags.verbose === true,
          color: flags.color,
        },
        { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
      );
    });

  registerMockCommand(program, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has already printed its message through outputError; help and --version exit 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    if (error instanceof UsageError) {
      usageLine(error.message);
      return USAGE_EXIT_CODE;
    }
    throw error;
  }
  return exitCode;
}

main(process.argv).then(
  (code) => {
    // Exit only once stdout and stderr have drained: a piped report must not be cut short.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
  (error: unknown) => {
    killAllClients();
    process.stderr.write(`${NAME}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(70);
  },
);

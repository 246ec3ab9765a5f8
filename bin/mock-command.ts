// `mcp-auth-conformance mock` and `mock token`: arguments in, a running mock (until a signal) or a
// token out. What the mock does lives in core/mock/.
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_SCENARIO, findScenario } from '../library/world.js';
import { startBanner } from '../core/mock/banner.js';
import { ControlRefused, findControlApi, NoMockRunning, requestToken } from '../core/mock/control-client.js';
import { baseScenarioId, KnobMistakes, loadKnobConfig, patchedKnobs, type KnobData } from '../core/mock/knob-config.js';
import { createLiveLog } from '../reporters/live-log.js';
import { CLIENT_MODE_PORTS, SERVER_MODE_PORTS, startClientMock, startServerMock, type RunningMock } from '../core/mock/service.js';
import { UsageError } from '../core/select.js';
import { LATEST_SPEC_VERSION, SELECTABLE_SPEC_VERSIONS, type SelectableSpecVersion } from '../core/spec.js';
import { clientScenarios } from '../suites/client/index.js';
import { colorAllowed, INTERRUPTED_EXIT_CODE, parseHttpUrl } from './run-command.js';

const NAME = 'mcp-auth-conformance';
const DEFAULT_PORT = 9000;
/** `mock token` found no mock: the target (the mock) could not be reached, as exit code 3 means for the run commands. */
const NO_MOCK_EXIT_CODE = 3;

const MOCK_HELP = `
Ports (--port P, default ${DEFAULT_PORT}; --port 0 takes free ones and prints them):
  without --resource  MCP resource server P, authorization server P+1, second authorization server P+2 (knobs as2), control API and page P+3
  with --resource     authorization server P, control API and page P+1

Exit codes:
  2    usage or configuration error (a line for every mistake in --config), or a port already in use
  70   internal error of the kit
  130  interrupted (SIGINT, SIGTERM, SIGHUP): every port of the mock is closed`;

const TOKEN_HELP = `
Exit codes:
  0    the token is on stdout
  2    usage error, or the mock refused (its reason on stderr)
  3    no mock is running on --port (or at --control-url)`;

interface MockFlags {
  resource?: string;
  port: number;
  world?: string;
  config?: string;
  specVersion: SelectableSpecVersion;
  strict?: boolean;
  quiet?: boolean;
  color: boolean;
}

interface TokenFlags {
  port: number;
  controlUrl?: string;
  scope?: string;
  ttl?: number;
  sub?: string;
  format: 'jwt' | 'opaque';
}

function portNumber(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 65535) throw new InvalidArgumentError('--port must be a port number (0 for free ones).');
  return Number(value);
}

function positive(what: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError(`${what} must be a positive whole number.`);
    return Number(value);
  };
}

/**
 * Resolves on the first SIGINT, SIGTERM or SIGHUP; a second one ends the process at once, should
 * closing hang.
 */
function untilInterrupted(): { interrupted: Promise<void>; dispose(): void } {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  let received = 0;
  let resolve: () => void = () => undefined;
  const interrupted = new Promise<void>((done) => (resolve = done));
  const onSignal = (): void => {
    if (++received === 1) resolve();
    else process.exit(INTERRUPTED_EXIT_CODE);
  };
  for (const name of signals) process.on(name, onSignal);
  return { interrupted, dispose: () => signals.forEach((name) => process.off(name, onSignal)) };
}

/** Every mistake of a config file on a line of its own; exit code 2. */
function printMistakes(error: KnobMistakes): number {
  for (const line of error.mistakes) process.stderr.write(`${NAME}: ${line}\n`);
  return 2;
}

async function startMock(flags: MockFlags, command: Command, log: ReturnType<typeof createLiveLog>): Promise<RunningMock> {
  const mode = flags.resource !== undefined ? 'server' : 'client';
  const config: KnobData | undefined = flags.config !== undefined ? await loadKnobConfig(flags.config, process.cwd(), { mode, scenarios: clientScenarios }) : undefined;
  if (mode === 'server') {
    const clientOnly = [['--world', flags.world !== undefined], ['--strict', flags.strict === true], ['--spec-version', command.getOptionValueSource('specVersion') === 'cli']] as const;
    const given = clientOnly.filter(([, present]) => present).map(([name]) => name);
    if (given.length > 0) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} for the mock world of an MCP client (without --resource); with --resource the mock is an authorization server alone`);
    if (flags.port > 65535 - SERVER_MODE_PORTS.control) throw new UsageError(`--port ${flags.port} leaves no room for the control API on --port + ${SERVER_MODE_PORTS.control}`);
    const resource = parseHttpUrl('--resource', flags.resource!, 'http://localhost:3000/mcp');
    return startServerMock({ port: flags.port, resource, ...(config?.patch.as ? { as: config.patch.as } : {}), log });
  }
  if (flags.port > 65535 - CLIENT_MODE_PORTS.control) throw new UsageError(`--port ${flags.port} leaves no room for the control API on --port + ${CLIENT_MODE_PORTS.control}`);
  const scenario = findScenario(baseScenarioId(flags.world, config, DEFAULT_SCENARIO));
  const mistakes: string[] = [];
  const knobs = patchedKnobs(scenario.world, config ?? { patch: {} }, mistakes);
  if (mistakes.length > 0) throw new KnobMistakes(mistakes.map((line) => `${flags.config}: ${line}`));
  if (!scenario.specVersions.includes(flags.specVersion)) {
    process.stderr.write(`${NAME}: note: ${scenario.id} is a scenario of ${scenario.specVersions.join(', ')}; its checks that hold at ${flags.specVersion} are judged\n`);
  }
  return startClientMock({ port: flags.port, scenario, knobs, specVersion: flags.specVersion, strict: flags.strict === true, log });
}

async function runMock(flags: MockFlags, command: Command): Promise<number> {
  const color = colorAllowed(process.stdout, { color: flags.color }, process.env);
  const log = createLiveLog({ write: (text) => process.stdout.write(text), color, quiet: flags.quiet === true });
  // A closed pipe (mock | head) ends the log, not the mock: its control API and page still serve.
  process.stdout.on('error', () => undefined);
  const signals = untilInterrupted();
  let mock: RunningMock | undefined;
  try {
    const starting = startMock(flags, command, log);
    const started = await Promise.race([starting, signals.interrupted.then(() => undefined)]);
    if (started === undefined) {
      await starting.then((late) => late.close(), () => undefined);
      process.stderr.write(`\n${NAME}: interrupted while starting; the mock is stopped\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    mock = started;
    process.stdout.write(startBanner(mock.info(), { port: flags.port, color, quiet: flags.quiet === true, ...(mock.clientEnv ? { clientEnv: mock.clientEnv } : {}) }));
    await signals.interrupted;
    await mock.close();
    process.stderr.write(`\n${NAME}: interrupted; the mock is stopped and its ports are closed\n`);
    return INTERRUPTED_EXIT_CODE;
  } catch (error) {
    await mock?.close();
    if (error instanceof KnobMistakes) return printMistakes(error);
    throw error;
  } finally {
    signals.dispose();
  }
}

async function runMockToken(flags: TokenFlags): Promise<number> {
  try {
    const { control } = await findControlApi({ port: flags.port, ...(flags.controlUrl !== undefined ? { controlUrl: flags.controlUrl } : {}) });
    const token = await requestToken(control, {
      ...(flags.scope !== undefined ? { scope: flags.scope } : {}),
      ...(flags.ttl !== undefined ? { ttl: flags.ttl } : {}),
      ...(flags.sub !== undefined ? { sub: flags.sub } : {}),
      format: flags.format,
    });
    process.stdout.write(`${token}\n`);
    return 0;
  } catch (error) {
    if (error instanceof NoMockRunning) {
      process.stderr.write(`${NAME}: ${error.message}\n`);
      return NO_MOCK_EXIT_CODE;
    }
    if (error instanceof ControlRefused) throw new UsageError(error.message);
    throw error;
  }
}

/** Adds `mock` (and `mock token`) to the program; `exit` receives the exit code when the command ends. */
export function registerMockCommand(program: Command, exit: (code: number) => void): void {
  const mock = program
    .command('mock')
    .description('run the mock world on stable local ports while you develop an MCP client (or, with --resource, an authorization server for your MCP server), logging and judging every exchange, until interrupted')
    .enablePositionalOptions()
    .option('--resource <url>', 'be an authorization server issuing tokens for this MCP server URL (for developing a server)')
    .option('--port <port>', `the first of the mock's ports (see below; 0: free ones)`, portNumber, DEFAULT_PORT)
    .option('--world <scenario>', `the world of this client scenario, with its knobs and checks (default ${DEFAULT_SCENARIO})`)
    .option('--config <file>', 'knobs in YAML or JSON: world: <scenario>, and prm:, as:, rs:, as2:, legacy: overrides')
    .addOption(new Option('--spec-version <version>', 'the MCP revision whose checks are judged live').choices(SELECTABLE_SPEC_VERSIONS).default(LATEST_SPEC_VERSION))
    .option('--strict', 'SHOULD requirements fail instead of warning')
    .option('--quiet', 'no line per exchange (verdict changes are still printed)')
    .option('--no-color', 'no ANSI colours (also off when not a terminal or with NO_COLOR)')
    .addHelpText('after', MOCK_HELP)
    .action(async (flags: MockFlags, command: Command) => exit(await runMock(flags, command)));

  mock
    .command('token')
    .description('print an access token minted by the running mock (signed by its key, for its resource): curl -H "Authorization: Bearer $(mcp-auth-conformance mock token)" ...')
    .option('--port <port>', 'the --port the mock was started with', portNumber, DEFAULT_PORT)
    .option('--control-url <url>', 'the control API URL the mock printed (a mock on free ports)')
    .option('--scope <scopes>', 'the scope claim (space-separated scopes)')
    .option('--ttl <seconds>', 'lifetime in seconds (default: 3600, or the world\'s accessTokenTtlSeconds)', positive('--ttl'))
    .option('--sub <subject>', 'the sub claim (default conformance-user)')
    .addOption(new Option('--format <format>', 'a JWT, or an opaque token described by introspection (with --resource only)').choices(['jwt', 'opaque']).default('jwt'))
    .addHelpText('after', TOKEN_HELP)
    .action(async (flags: TokenFlags) => exit(await runMockToken(flags)));
}

// Runs authorization-server scenarios against one authorization server: the server first (started by
// the kit and waited for until its metadata answers, or found at an issuer URL), what an MCP client
// would learn of it, then each scenario in turn with its own trace. Whatever happens the server's
// process group is stopped before the report returns, and unless told otherwise every credential the
// server issued is replaced by a fingerprint in the report.
import { TraceRecorder } from '../../../mocks/recorder.js';
import { judgeSafely, type CheckDef } from '../../check.js';
import { Redactor } from '../../redact.js';
import type { CheckResult, Report, ScenarioResult } from '../../report.js';
import { buildReport, kitErrorCheck, resultOf, skipped } from '../../results.js';
import { checksAt, type AuthorizationServerScenario } from '../../scenario.js';
import type { SpecVersion } from '../../spec.js';
import type { AuthorizationServerFacts, EndpointRole, ProcessOutcome, Trace, WorldFacts } from '../../trace.js';
import { verdicts } from '../../verdicts.js';
import { freePort, listening, portWasTaken, PORT_ATTEMPTS, startListening, type ListeningProcess } from '../listening-process.js';
import { Probe, KIT_ACTOR } from '../probe.js';
import { runTargetProperty, type CaseJudgement } from '../target-property.js';
import { CLI_NAME, shellWord, targetAvailableCheck, tellingLine, type ListeningRunHooks } from '../listening-target.js';
import { AuthorizationServerDrive, type Login } from './drive.js';
import { learnAuthorizationServer, rfc8414MetadataUrl, type GivenClient } from './learn.js';
import { loginWithCommand } from './login-command.js';
import { UserAgent } from './user-agent.js';
import type { ClientMetadataHost } from '../../../mocks/client-metadata-host.js';

/** The id of the engine's own check of an authorization server: it answered every request and kept running. */
export const AUTHORIZATION_SERVER_CHECK = 'authorization-server-available';
export const AUTHORIZATION_SERVER_ACTOR = 'authorization-server';
export const BROWSER = 'browser';

/** Where the kit's user agent is sent back to, unless --redirect-uri says otherwise; nothing listens there. */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:45781/callback';
/** The MCP server tokens are asked for, unless --resource says otherwise. */
export const DEFAULT_RESOURCE = 'http://127.0.0.1:3000/mcp';

const POLL_MS = 100;
const EXIT_GRACE_MS = 2000;

export type AuthorizationServerTarget = { issuer: string } | { command: string; issuerPath?: string };

export interface AuthorizationServerRunOptions extends ListeningRunHooks {
  target: AuthorizationServerTarget;
  scenarios: readonly AuthorizationServerScenario[];
  specVersion: SpecVersion;
  strict: boolean;
  resource: string;
  redirectUri: string;
  scope?: string;
  client?: GivenClient;
  username?: string;
  password?: string;
  /** Completes authorization requests with the user's command instead of the kit's user agent. */
  loginCommand?: string;
  /** How long one request may go unanswered (and a login command may run). */
  timeoutMs: number;
  /** How long a started server may take until its metadata answers. */
  startTimeoutMs: number;
  /** False (--no-redact): the report keeps credentials as they were. */
  redact: boolean;
}

/** The command line that runs a counterexample again; credentials stay out of it (the password comes from the environment). */
export function authorizationServerReplayCommand(options: AuthorizationServerRunOptions, scenarioId: string, seed: number, path: string): string {
  const target = 'issuer' in options.target
    ? ['--issuer', shellWord(options.target.issuer)]
    : ['--command', shellWord(options.target.command), ...(options.target.issuerPath ? ['--issuer-path', shellWord(options.target.issuerPath)] : [])];
  const parts = [CLI_NAME, 'authorization-server', ...target, '--scenario', shellWord(scenarioId), '--spec-version', options.specVersion, '--resource', shellWord(options.resource)];
  if (options.redirectUri !== DEFAULT_REDIRECT_URI) parts.push('--redirect-uri', shellWord(options.redirectUri));
  if (options.client) parts.push('--client-id', shellWord(options.client.clientId));
  if (options.client?.clientSecret !== undefined) parts.push('--client-secret', '"$MCP_CONFORMANCE_CLIENT_SECRET"');
  if (options.scope) parts.push('--scope', shellWord(options.scope));
  if (options.username) parts.push('--username', shellWord(options.username));
  if (options.loginCommand) parts.push('--login-command', shellWord(options.loginCommand));
  parts.push(`--seed=${seed}`, '--replay', path);
  if (options.strict) parts.push('--strict');
  return parts.join(' ');
}

/** The engine's own check: the authorization server answered every request of the scenario and is still running. */
export function authorizationServerAvailableCheck(): CheckDef {
  return targetAvailableCheck({ id: AUTHORIZATION_SERVER_CHECK, name: 'authorization server', processActor: AUTHORIZATION_SERVER_ACTOR, requestActors: [KIT_ACTOR, BROWSER] });
}

export function judgeAuthorizationServer(scenario: AuthorizationServerScenario, trace: Trace, options: Pick<AuthorizationServerRunOptions, 'specVersion' | 'strict'>): CheckResult[] {
  const checks = [authorizationServerAvailableCheck(), ...checksAt(scenario, options.specVersion)];
  return verdicts(
    checks.map((check) => ({ check, finding: judgeSafely(check, trace) })),
    { strict: options.strict, requires: scenario.requires ?? [], processCheck: AUTHORIZATION_SERVER_CHECK },
  );
}

/** Which endpoint of the authorization server a URL is, from its metadata. */
function rolesOf(facts: Pick<AuthorizationServerFacts, 'metadata' | 'metadataUrl' | 'oidcUrl'>): (url: URL) => EndpointRole {
  const named: Array<[string, EndpointRole]> = [
    ['authorization_endpoint', 'authorize'],
    ['token_endpoint', 'token'],
    ['registration_endpoint', 'register'],
    ['jwks_uri', 'jwks'],
    ['introspection_endpoint', 'introspection'],
  ];
  return (url) => {
    const bare = `${url.origin}${url.pathname}`;
    if (bare === facts.metadataUrl || bare === facts.oidcUrl) return 'as-metadata';
    for (const [field, role] of named) {
      const value = facts.metadata?.[field];
      if (typeof value !== 'string') continue;
      try {
        const endpoint = new URL(value);
        if (`${endpoint.origin}${endpoint.pathname}` === bare) return role;
      } catch {
        // a malformed endpoint URL matches nothing; the metadata checks say what is wrong with it
      }
    }
    return 'unknown';
  };
}

/** The world facts of an authorization-server trace: the server under test is the world's authorization server. */
function worldOf(facts: AuthorizationServerFacts): WorldFacts {
  const endpoint = (name: string): string => (typeof facts.metadata?.[name] === 'string' ? (facts.metadata[name] as string) : '');
  const register = endpoint('registration_endpoint');
  return {
    mcpUrl: facts.resource,
    canonicalResource: facts.resource,
    rsOrigin: new URL(facts.resource).origin,
    asOrigin: new URL(facts.issuer).origin,
    issuer: facts.issuer,
    asMetadataUrls: [facts.metadataUrl, facts.oidcUrl],
    asMetadataProbeOrder: [facts.metadataUrl, facts.oidcUrl],
    endpoints: { authorize: endpoint('authorization_endpoint'), token: endpoint('token_endpoint'), jwks: endpoint('jwks_uri'), ...(register ? { register } : {}) },
    knobs: {},
  };
}

/** The environment of an authorization server the kit starts: the contract the README documents. */
export function authorizationServerEnvironment(port: number, issuer: string, options: Pick<AuthorizationServerRunOptions, 'resource' | 'redirectUri' | 'client'>): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    MCP_CONFORMANCE_ISSUER: issuer,
    MCP_CONFORMANCE_RESOURCE: options.resource,
    MCP_CONFORMANCE_REDIRECT_URI: options.redirectUri,
    ...(options.client ? { MCP_CONFORMANCE_CLIENT_ID: options.client.clientId } : {}),
    ...(options.client?.clientSecret !== undefined ? { MCP_CONFORMANCE_CLIENT_SECRET: options.client.clientSecret } : {}),
  };
}

interface Started {
  issuer: string;
  process?: ListeningProcess;
  failure?: string;
}

async function metadataAnswers(issuer: string): Promise<boolean> {
  for (const url of [rfc8414MetadataUrl(issuer), `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`]) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not up yet
    }
  }
  return false;
}

async function bringUp(options: AuthorizationServerRunOptions, metadataHost: ClientMetadataHost | undefined): Promise<Started> {
  if ('issuer' in options.target) {
    const issuer = options.target.issuer;
    const url = new URL(issuer);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (!(await listening(port, url.hostname))) return { issuer, failure: `nothing listens at ${url.host} (${issuer})` };
    return { issuer };
  }
  for (let attempt = 1; ; attempt++) {
    const started = await startOnce(options, options.target, metadataHost);
    if (attempt < PORT_ATTEMPTS && started.process && started.failure !== undefined && portWasTaken(started.process.outcome())) continue;
    return started;
  }
}

async function startOnce(options: AuthorizationServerRunOptions, target: { command: string; issuerPath?: string }, metadataHost: ClientMetadataHost | undefined): Promise<Started> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}${target.issuerPath ?? ''}`;
  const began = performance.now();
  const process = startListening({
    command: target.command,
    actor: AUTHORIZATION_SERVER_ACTOR,
    env: {
      ...globalThis.process.env,
      ...options.env,
      ...authorizationServerEnvironment(port, issuer, options),
      // Node reads it at start-up: the server trusts the kit's loopback HTTPS host, and only that.
      ...(metadataHost ? { NODE_EXTRA_CA_CERTS: metadataHost.caFile, MCP_CONFORMANCE_CA_FILE: metadataHost.caFile } : {}),
    },
    host: '127.0.0.1',
    port,
    startTimeoutMs: options.startTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const readiness = await process.ready;
  const fail = async (why: string): Promise<Started> => {
    const outcome = await process.stop();
    const said = tellingLine(outcome.stderrTail) || tellingLine(outcome.stdoutTail);
    return { issuer, process, failure: `the authorization server ${why}${said ? `; it said: ${said}` : ''}` };
  };
  if (!readiness.ready) return fail(readiness.reason);
  // Listening is not ready: a server may open its port before its routes (or its database) are.
  while (!(await metadataAnswers(issuer))) {
    if (!process.running()) return fail('exited before its metadata answered');
    if (options.signal?.aborted) return fail('was still starting when the run was interrupted');
    if (performance.now() - began > options.startTimeoutMs) return fail(`listened, but its metadata did not answer within ${options.startTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return { issuer, process };
}

export async function runAuthorizationServerScenarios(options: AuthorizationServerRunOptions): Promise<Report> {
  const startedAt = new Date();
  const began = performance.now();
  const results: ScenarioResult[] = [];
  const secrets = new Set<string>(options.password ? [options.password] : []);
  if (options.client?.clientSecret !== undefined) secrets.add(options.client.clientSecret);
  let started: Started | undefined;
  let stoppedEarly: string | undefined;
  let couldNotRun = false;
  const interrupted = (): boolean => options.signal?.aborted === true;
  const target: Report['target'] = 'issuer' in options.target ? { url: options.target.issuer } : { command: options.target.command };

  let metadataHost: ClientMetadataHost | undefined;
  try {
    if (options.scenarios.some((s) => s.needs?.includes('cimd') && s.specVersions.includes(options.specVersion))) {
      // Loaded and made only when needed: making the CA's keys takes a moment.
      const { startClientMetadataHost } = await import('../../../mocks/client-metadata-host.js');
      metadataHost = await startClientMetadataHost();
    }
    started = await bringUp(options, metadataHost);
    target.url = started.issuer;
    if (started.failure !== undefined) {
      couldNotRun = true;
      stoppedEarly = started.failure;
    } else {
      const learnProbe = new Probe(new TraceRecorder(), { baseUrl: started.issuer, roleOf: () => 'unknown', timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      const facts = await learnAuthorizationServer({
        probe: learnProbe,
        issuer: started.issuer,
        resource: options.resource,
        redirectUri: options.redirectUri,
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.client ? { client: options.client } : {}),
        started: 'issuer' in options.target ? 'issuer' : 'command',
        login: options.loginCommand ? 'command' : 'user-agent',
        secrets,
      });
      const process = started.process;
      const context: RunContext = { facts, process, options, secrets, metadataHost };
      const loginFailure = facts.client && options.scenarios.some((s) => s.needs?.includes('login')) ? await trialLogin(facts, options, secrets) : undefined;
      for (const scenario of options.scenarios) {
        if (!scenario.specVersions.includes(options.specVersion)) {
          results.push(skipped(scenario, options.specVersion, `not applicable at spec version ${options.specVersion} (applies at ${scenario.specVersions.join(', ')})`));
          options.onScenarioFinish?.(results.at(-1)!);
          continue;
        }
        if (interrupted() || stoppedEarly !== undefined) break;
        const unmetNeed =
          scenario.needs?.includes('cimd') && facts.metadata?.client_id_metadata_document_supported !== true
            ? 'not applicable: the metadata does not advertise client_id_metadata_document_supported'
            : scenario.needs?.includes('registration') && typeof facts.metadata?.registration_endpoint !== 'string'
            ? 'not applicable: the metadata names no registration_endpoint (registration is optional)'
            : scenario.needs?.includes('client') && !facts.client
              ? `not applicable: ${facts.noClient}`
              : scenario.needs?.includes('login') && loginFailure !== undefined
                ? `not run: ${loginFailure}`
                : undefined;
        if (unmetNeed !== undefined) {
          results.push(skipped(scenario, options.specVersion, unmetNeed));
          options.onScenarioFinish?.(results.at(-1)!);
          continue;
        }
        options.onScenarioStart?.(scenario.id);
        const result = scenario.property
          ? await runTargetProperty({
              scenario,
              property: scenario.property,
              specVersion: options.specVersion,
              ...(options.property ? { options: options.property } : {}),
              attempt: (value) => attempt(scenario, context, (drive) => scenario.property!.send(drive, value)),
              replay: (seed, path) => authorizationServerReplayCommand(options, scenario.id, seed, path),
              stop: () => interrupted() || (process !== undefined && !process.running()),
              interrupted,
              ...(options.onTrace ? { onTrace: options.onTrace } : {}),
            })
          : await runOnce(scenario, context);
        if (interrupted()) break;
        results.push(result);
        options.onScenarioFinish?.(result);
        if (process && !process.running()) stoppedEarly = `the authorization server process ended during ${scenario.id}`;
      }
      // The scenarios that needed no login have run; the rest could not, as the target is configured.
      if (loginFailure !== undefined && stoppedEarly === undefined && !interrupted()) {
        couldNotRun = true;
        stoppedEarly = loginFailure;
      }
    }
  } finally {
    await started?.process?.stop();
    await metadataHost?.close();
  }

  const reason = stoppedEarly !== undefined ? `not run: ${stoppedEarly}` : 'interrupted';
  const redactor = options.redact ? new Redactor(secrets) : undefined;
  const scenarios = options.scenarios
    .map((scenario) => results.find((r) => r.id === scenario.id) ?? skipped(scenario, options.specVersion, reason))
    .map((result) => (redactor ? redactor.scenario(result) : result));
  return buildReport({
    role: 'authorization-server',
    target,
    specVersion: options.specVersion,
    strict: options.strict,
    startedAt,
    began,
    interrupted: interrupted(),
    ...(stoppedEarly !== undefined ? { stoppedEarly: redactor ? redactor.text(stoppedEarly) : stoppedEarly } : {}),
    scenarios,
    couldNotRun,
  });
}

/**
 * One standard authorization before the scenarios, so that a login the kit cannot complete (no
 * credentials, a page it cannot read, a resource the server was not configured for) is said once,
 * as what it is, instead of as a failure of every scenario. Undefined when a code came back.
 */
async function trialLogin(facts: AuthorizationServerFacts, options: AuthorizationServerRunOptions, secrets: Set<string>): Promise<string | undefined> {
  const recorder = new TraceRecorder();
  const common = { baseUrl: facts.issuer, roleOf: rolesOf(facts), timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  const drive = new AuthorizationServerDrive(new Probe(recorder, common), facts, loginFor(options, new Probe(recorder, { ...common, actor: BROWSER }), []), secrets);
  try {
    const { record, code } = await drive.authorize('learn:authorize');
    if (code) return undefined;
    const how = record.outcome === 'stopped' ? record.reason : `the server answered with error=${record.params?.error ?? '(none)'}${record.params?.error_description ? ` (${record.params.error_description})` : ''}`;
    const hint = options.loginCommand ? '' : options.password === undefined ? '; if it shows a login page, give --username and MCP_CONFORMANCE_PASSWORD, or --login-command' : '';
    return `the kit could not complete an authorization at ${facts.issuer}: ${how}${hint}`;
  } catch (error) {
    return `the kit could not complete an authorization at ${facts.issuer}: ${(error as Error).message}`;
  }
}

/** How a scenario's authorization requests are completed; the login command's runs are kept for the report. */
function loginFor(options: AuthorizationServerRunOptions, probe: Probe, ran: ProcessOutcome[]): Login {
  if (options.loginCommand) {
    const command = options.loginCommand;
    return async (url, _label, redirectUri) => {
      const { process, ...outcome } = await loginWithCommand(url, {
        command,
        redirectUri,
        timeoutMs: options.timeoutMs,
        ...(options.password !== undefined ? { env: { ...globalThis.process.env, MCP_CONFORMANCE_PASSWORD: options.password } } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      ran.push(process);
      return outcome;
    };
  }
  // A fresh profile per scenario: one scenario's session never completes another's login.
  const agents = new Map<string, UserAgent>();
  return (url, label, redirectUri) => {
    let agent = agents.get(redirectUri);
    if (!agent) {
      agent = new UserAgent({
        probe,
        redirectUri,
        alsoStopAt: [options.redirectUri],
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
      });
      agents.set(redirectUri, agent);
    }
    return agent.authorize(url, label);
  };
}

/** What every scenario of one run shares. */
interface RunContext {
  facts: AuthorizationServerFacts;
  process: ListeningProcess | undefined;
  options: AuthorizationServerRunOptions;
  secrets: Set<string>;
  metadataHost: ClientMetadataHost | undefined;
}

async function attempt(scenario: AuthorizationServerScenario, { facts, process, options, secrets, metadataHost }: RunContext, send: (drive: AuthorizationServerDrive) => Promise<void>): Promise<CaseJudgement> {
  const recorder = new TraceRecorder();
  metadataHost?.recordInto(recorder);
  const startedAt = new Date().toISOString();
  const common = { baseUrl: facts.issuer, roleOf: rolesOf(facts), timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) };
  const probe = new Probe(recorder, common);
  const browser = new Probe(recorder, { ...common, actor: BROWSER });
  const logins: ProcessOutcome[] = [];
  const drive = new AuthorizationServerDrive(probe, facts, loginFor(options, browser, logins), secrets, metadataHost);
  try {
    await send(drive);
  } catch (error) {
    return { checks: [kitErrorCheck(`the kit could not run this scenario: ${(error as Error)?.message ?? String(error)}`)], processes: logins, exchanges: recorder.exchanges };
  }
  if (process?.running() && recorder.exchanges.some((e) => e.error !== undefined)) {
    await Promise.race([process.ended, new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS))]);
  }
  const processes: ProcessOutcome[] = [...(process && !process.running() ? [process.outcome()] : []), ...logins];
  const world = worldOf(facts);
  const trace: Trace = {
    scenario: scenario.id,
    specVersion: options.specVersion,
    startedAt,
    world,
    exchanges: recorder.exchanges,
    events: recorder.events,
    processes,
    authorizationServer: facts,
    authorizations: drive.authorizations,
  };
  return { checks: judgeAuthorizationServer(scenario, trace, options), processes, world, exchanges: recorder.exchanges, trace };
}

async function runOnce(scenario: AuthorizationServerScenario, context: RunContext): Promise<ScenarioResult> {
  const began = performance.now();
  const run = await attempt(scenario, context, (drive) => scenario.drive?.(drive) ?? Promise.resolve());
  if (run.trace) context.options.onTrace?.(scenario.id, run.trace);
  return resultOf(scenario, context.options.specVersion, Math.round(performance.now() - began), run);
}

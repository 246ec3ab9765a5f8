// A mock that keeps running while someone develops against it: the whole world of a client scenario
// (for an MCP client), or an authorization server for the developer's own resource (for an MCP
// server); with its trace logged and judged live, and a control API and page on a port of its own.
import { FIXED_INTROSPECTION_CLIENT, startIssuer, type Issuer } from '../../mocks/issuer.js';
import type { AsKnobs, WorldKnobs } from '../../mocks/knobs.js';
import { startWorld, type World } from '../../mocks/world.js';
import { toolInfo } from '../engine.js';
import { RunLog, traceWithoutProcesses } from '../run-log.js';
import { checksAt, type ClientRun, type ClientScenario } from '../scenario.js';
import { UsageError } from '../select.js';
import type { SpecVersion } from '../spec.js';
import type { EndpointRole, Trace } from '../trace.js';
import { ControlError, MOCK_SERVICE, serveControlApi, type MockInfo, type MockTarget, type TokenOrder } from './control-api.js';
import { FaultBoard } from '../../mocks/faults.js';
import { applyKnobPatch, KnobMistakes, patchedKnobs, readKnobData } from './knob-config.js';
import { createLiveJudge } from './live-judge.js';
import type { LiveLog } from '../../reporters/live-log.js';
import { renderPage, renderView } from '../../reporters/mock-page.js';
import { TraceFeed } from './trace-feed.js';

export interface RunningMock {
  info(): MockInfo;
  /** Client mode: the MCP_CONFORMANCE_* variables the suite gives a client in the world's scenario. */
  readonly clientEnv?: Record<string, string>;
  /** Closes every listener and open connection. Idempotent. */
  close(): Promise<void>;
}

/** The ports of each mode, from --port P: what listens where (documented in the README). */
export const CLIENT_MODE_PORTS = { rs: 0, as: 1, as2: 2, control: 3 } as const;
export const SERVER_MODE_PORTS = { issuer: 0, control: 1 } as const;

const PORT_NAMES: Record<string, string> = {
  rs: 'the resource server (MCP and PRM)',
  as: 'the authorization server',
  as2: 'the second authorization server',
  control: 'the control API and page',
  issuer: 'the authorization server',
};

/** A port the mock needs is taken: one line naming it and what wanted it. */
function portInUse(error: unknown, base: number, offsets: Record<string, number>): never {
  const failure = error as NodeJS.ErrnoException & { port?: number };
  if (failure?.code !== 'EADDRINUSE' && failure?.code !== 'EACCES') throw error;
  const name = Object.entries(offsets).find(([, offset]) => base + offset === failure.port)?.[0];
  const last = base + Math.max(...Object.values(offsets));
  const why = failure.code === 'EADDRINUSE' ? 'is already in use' : 'may not be used (EACCES)';
  throw new UsageError(`port ${failure.port ?? base}${name ? ` (${PORT_NAMES[name]})` : ''} ${why}; this mock takes ports ${base}-${last}: choose another --port, or --port 0 for free ones`);
}

/**
 * Serves the control API of `target` beside the servers already listening, which `release` closes:
 * at once if the control port is taken, or with the control API when the mock is closed (once).
 */
async function withControlApi(target: MockTarget, port: number, offsets: { control: number }, release: () => Promise<void>): Promise<{ origin: string; close(): Promise<void> }> {
  let control: { origin: string; close(): Promise<void> };
  try {
    control = await serveControlApi(target, port === 0 ? 0 : port + offsets.control);
  } catch (error) {
    await release();
    portInUse(error, port, offsets);
  }
  let closing: Promise<void> | undefined;
  return { origin: control.origin, close: () => (closing ??= Promise.all([release(), control.close()]).then(() => undefined)) };
}

const CLIENT_FAULT_ROLES: readonly EndpointRole[] = ['mcp', 'prm', 'as-metadata', 'authorize', 'token', 'register', 'jwks'];
const SERVER_FAULT_ROLES: readonly EndpointRole[] = ['as-metadata', 'jwks', 'introspection', 'token', 'authorize', 'register', 'upstream'];

/** What client mode needs besides the port. */
export interface ClientMockOptions {
  /** P: the resource server on P, the authorization servers on P+1 and P+2, the control API on P+3; 0 for free ports. */
  port: number;
  scenario: ClientScenario;
  knobs: WorldKnobs;
  specVersion: SpecVersion;
  strict: boolean;
  log: LiveLog;
  /** How long the client must pause before verdict lines are printed (default QUIET_MS). */
  judgeQuietMs?: number;
}

export async function startClientMock(options: ClientMockOptions): Promise<RunningMock> {
  const { scenario, specVersion, strict, log, port } = options;
  const feed = new TraceFeed();
  const startedAt = new Date().toISOString();
  let version = 0;
  const runs = new RunLog(() => feed.now(), scenario.clientRefuses === true);
  // Each run is a new client instance: connections opened from now on are recorded as it.
  const startRun = (run: ClientRun): void => {
    runs.start(run, world?.knobs ?? options.knobs);
  };
  let world: World | undefined;
  startRun({ label: 'mock' });

  const fixed = port === 0 ? undefined : { rs: port + CLIENT_MODE_PORTS.rs, as: port + CLIENT_MODE_PORTS.as, as2: port + CLIENT_MODE_PORTS.as2 };
  try {
    world = await startWorld(options.knobs, { recorder: feed, actorOf: () => runs.current.actors[0], ...(fixed ? { ports: fixed } : {}) });
  } catch (error) {
    portInUse(error, port, CLIENT_MODE_PORTS);
  }
  const live: World = world;

  const trace = (): Trace => traceWithoutProcesses({ scenario: scenario.id, specVersion, startedAt, world: live.facts, exchanges: feed.recorded(), runs });
  const judge = createLiveJudge({
    checks: checksAt(scenario, specVersion),
    strict,
    trace,
    onChange: (changed, before, latest) => log.verdicts(changed, before, latest),
    ...(options.judgeQuietMs !== undefined ? { quietMs: options.judgeQuietMs } : {}),
  });
  const unsubscribe = feed.subscribe((exchange) => {
    version++;
    log.exchange(exchange);
    judge.touch();
  });
  const changed = (note: string): void => {
    version++;
    judge.touch();
    log.note(note);
  };
  const reconfigure = async (next: WorldKnobs, note: string): Promise<WorldKnobs> => {
    await live.reconfigure(next);
    runs.reconfigured(next);
    changed(note);
    return live.knobs;
  };

  let control: { origin: string; close(): Promise<void> } | undefined;
  const info = (): MockInfo => {
    const facts = live.facts;
    const ports: Record<string, number> = { rs: Number(new URL(facts.rsOrigin).port), control: Number(new URL(control!.origin).port) };
    if (!live.knobs.legacy) ports.as = Number(new URL(facts.asOrigin).port);
    if (facts.issuer2) ports.as2 = Number(new URL(facts.issuer2).port);
    return {
      service: MOCK_SERVICE,
      version: toolInfo().version,
      mode: 'client',
      scenario: scenario.id,
      specVersion,
      urls: {
        mcp: facts.mcpUrl,
        issuer: facts.issuer,
        ...(facts.issuer2 ? { issuer2: facts.issuer2 } : {}),
        ...(facts.prmUrl ? { prm: facts.prmUrl } : {}),
        ...(facts.asMetadataUrls[0] ? { asMetadata: facts.asMetadataUrls[0] } : {}),
        control: control!.origin,
        page: `${control!.origin}/`,
      },
      ports,
    };
  };
  const view = (): string => renderView({ exchanges: feed.recorded(), verdicts: judge.verdicts(), emptyHint: `No exchanges yet: point your MCP client at ${live.facts.mcpUrl}.` });
  const target: MockTarget = {
    mode: 'client',
    info,
    feed,
    faults: new FaultBoard(live),
    faultRoles: CLIENT_FAULT_ROLES,
    version: () => version,
    view,
    page: () => renderPage({ title: `mcp-auth-conformance mock: ${scenario.id}`, facts: pageFacts(info()), view: view(), version }),
    reset() {
      feed.clear();
      runs.clear();
      startRun({ label: 'mock' });
      judge.reset();
      changed('trace cleared (POST /reset)');
    },
    async issueToken(order: TokenOrder) {
      if (order.format === 'opaque') throw new ControlError(400, 'the client-mode world issues JWT access tokens only; opaque tokens are for the server-mode mock (--resource)');
      const { format: _jwt, ...rest } = order;
      const issued = await live.issueAccessToken(rest);
      return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, ...(issued.scope ? { scope: issued.scope } : {}), issuer: issued.issuer };
    },
    async rotateKeys(withdraw) {
      const kids = await live.rotateSigningKeys(withdraw);
      changed(`signing keys rotated${withdraw ? ', the old ones withdrawn' : ''} (POST /keys/rotate)`);
      return kids;
    },
    client: {
      verdicts: () => {
        const verdicts = judge.verdicts();
        return { scenario: scenario.id, specVersion, strict, judgedInMs: Math.round(judge.lastMs * 100) / 100, verdicts };
      },
      knobs: () => live.knobs,
      async patchKnobs(data) {
        const mistakes: string[] = [];
        const read = readKnobData(data, mistakes, { mode: 'client', worldAllowed: false, scenarios: [] });
        const next = patchedKnobs(live.knobs, read, mistakes);
        if (mistakes.length > 0) throw new KnobMistakes(mistakes);
        const sections = Object.keys(read.patch);
        return reconfigure(next, `knobs changed (PATCH /knobs: ${sections.join(', ') || 'nothing'})`);
      },
      expireAccessTokens() {
        live.expireAccessTokens();
        startRun({ label: 'after POST /tokens/expire', expireTokens: true });
        changed('every access token issued so far is expired (POST /tokens/expire); new connections are the next run');
      },
      revokeRefreshTokens(token) {
        const families = live.revokeRefreshTokens(token);
        if (families === undefined) return undefined;
        startRun({ label: 'after POST /refresh-tokens/revoke', revokeRefreshTokens: true });
        const which = token === undefined ? 'every refresh-token family is' : 'the refresh-token family of the token given is';
        changed(`${which} revoked (POST /refresh-tokens/revoke); new connections are the next run`);
        return families;
      },
      async stepUp(tool, scopes) {
        const toolScopes = { ...live.knobs.rs.toolScopes };
        if (scopes === null) delete toolScopes[tool];
        else toolScopes[tool] = scopes;
        const next = applyKnobPatch(live.knobs, { rs: { toolScopes: Object.keys(toolScopes).length > 0 ? toolScopes : undefined } });
        await reconfigure(next, scopes === null ? `${tool} needs no scope of its own any more (POST /step-up)` : `${tool} needs ${scopes.join(' ')} (POST /step-up)`);
        return live.knobs.rs.toolScopes ?? {};
      },
    },
  };

  control = await withControlApi(target, port, CLIENT_MODE_PORTS, () => {
    unsubscribe();
    judge.close();
    return live.close();
  });
  return {
    info,
    clientEnv: {
      MCP_CONFORMANCE_SCENARIO: scenario.id,
      MCP_CONFORMANCE_PROTOCOL_VERSION: scenario.protocolVersion ?? specVersion,
      ...(scenario.context ? { MCP_CONFORMANCE_CONTEXT: JSON.stringify({ name: scenario.id, ...scenario.context(live.facts) }) } : {}),
    },
    close: control.close,
  };
}

/** What server mode needs besides the port. */
export interface ServerMockOptions {
  /** P: the authorization server on P, the control API on P+1; 0 for free ports. */
  port: number;
  /** The MCP server URL tokens are issued for (their `aud`). */
  resource: string;
  /** Authorization-server knobs from a config file. */
  as?: Partial<AsKnobs>;
  log: LiveLog;
}

/** The ttl of a token asked for without one: an hour, long enough for a session of curl. */
const SERVER_TOKEN_TTL = 3600;

export async function startServerMock(options: ServerMockOptions): Promise<RunningMock> {
  const { port, log } = options;
  const feed = new TraceFeed();
  let version = 0;
  let issuer: Issuer;
  try {
    issuer = await startIssuer({ resource: options.resource, ...(port !== 0 ? { port: port + SERVER_MODE_PORTS.issuer } : {}), introspectionClient: FIXED_INTROSPECTION_CLIENT, ...(options.as ? { as: options.as } : {}) });
  } catch (error) {
    portInUse(error, port, SERVER_MODE_PORTS);
  }
  issuer.recordInto(feed);
  const unsubscribe = feed.subscribe((exchange) => {
    version++;
    log.exchange(exchange);
  });
  const changed = (note: string): void => {
    version++;
    log.note(note);
  };

  let control: { origin: string; close(): Promise<void> } | undefined;
  const info = (): MockInfo => ({
    service: MOCK_SERVICE,
    version: toolInfo().version,
    mode: 'server',
    resource: issuer.resource,
    introspectionClient: { ...issuer.introspectionClient },
    urls: {
      issuer: issuer.issuer,
      metadata: issuer.metadataUrl,
      jwks: issuer.jwksUri,
      introspection: issuer.introspectionEndpoint,
      upstream: issuer.upstreamUrl,
      control: control!.origin,
      page: `${control!.origin}/`,
    },
    ports: { issuer: Number(new URL(issuer.issuer).port), control: Number(new URL(control!.origin).port) },
  });
  const view = (): string => renderView({ exchanges: feed.recorded(), emptyHint: `No exchanges yet: your server fetches the metadata and JWKS of ${issuer.issuer} when it first sees a token.` });
  const target: MockTarget = {
    mode: 'server',
    info,
    feed,
    faults: new FaultBoard(issuer),
    faultRoles: SERVER_FAULT_ROLES,
    version: () => version,
    view,
    page: () => renderPage({ title: `mcp-auth-conformance mock: authorization server for ${issuer.resource}`, facts: pageFacts(info()), view: view(), version }),
    reset() {
      feed.clear();
      changed('trace cleared (POST /reset)');
    },
    async issueToken(order) {
      const expiresIn = order.ttlSeconds ?? SERVER_TOKEN_TTL;
      const claims = { expiresIn, ...(order.scope ? { scope: order.scope } : {}), ...(order.sub ? { sub: order.sub } : {}), ...(order.clientId ? { client_id: order.clientId } : {}) };
      const token = order.format === 'opaque' ? issuer.opaque(claims) : await issuer.forge.jwt({ claims });
      return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(order.scope ? { scope: order.scope } : {}), issuer: issuer.issuer, format: order.format };
    },
    async rotateKeys(withdraw) {
      const key = await issuer.rotateSigningKey(withdraw);
      changed(`signing key rotated to ${key.kid}${withdraw ? ', the old ones withdrawn from the JWKS' : ''} (POST /keys/rotate)`);
      return [key.kid];
    },
    server: {
      revokeToken(token) {
        issuer.revoke(token);
        changed('an opaque token was revoked: introspection calls it inactive (POST /tokens/revoke)');
      },
    },
  };

  control = await withControlApi(target, port, SERVER_MODE_PORTS, () => {
    unsubscribe();
    return issuer.close();
  });
  return { info, close: control.close };
}

/** The header lines of the page: the URLs a developer copies. */
function pageFacts(info: MockInfo): Array<[string, string]> {
  const names: Record<string, string> = {
    mcp: 'MCP server URL',
    issuer: 'issuer',
    issuer2: 'second issuer',
    prm: 'PRM',
    asMetadata: 'AS metadata',
    metadata: 'AS metadata',
    jwks: 'JWKS URI',
    introspection: 'introspection',
    control: 'control API',
  };
  const facts: Array<[string, string]> = [];
  if (info.scenario) facts.push(['world', `${info.scenario}, checks at ${info.specVersion}`]);
  if (info.resource) facts.push(['resource', info.resource]);
  for (const [key, url] of Object.entries(info.urls)) if (names[key]) facts.push([names[key], url]);
  return facts;
}

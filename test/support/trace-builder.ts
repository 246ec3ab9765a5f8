// Builds small traces by hand for unit tests of checks: a world's facts and the exchanges a
// client made, without starting anything.
import type { EndpointRole, Exchange, RunRecord, Trace, WorldFacts } from '../../core/trace.js';
import { knobs, type KnobOverrides } from '../../mocks/knobs.js';

export const RS = 'http://127.0.0.1:4100';
export const AS = 'http://127.0.0.1:4200';

export function facts(overrides: Partial<WorldFacts> = {}, knobOverrides: KnobOverrides = {}): WorldFacts {
  return {
    mcpUrl: `${RS}/mcp`,
    canonicalResource: `${RS}/mcp`,
    rsOrigin: RS,
    asOrigin: AS,
    issuer: AS,
    prmUrl: `${RS}/.well-known/oauth-protected-resource/mcp`,
    asMetadataUrls: [`${AS}/.well-known/oauth-authorization-server`],
    asMetadataProbeOrder: [`${AS}/.well-known/oauth-authorization-server`, `${AS}/.well-known/openid-configuration`],
    endpoints: { authorize: `${AS}/authorize`, token: `${AS}/token`, register: `${AS}/register`, jwks: `${AS}/jwks` },
    knobs: knobs(knobOverrides),
    ...overrides,
  };
}

export interface Step {
  role: EndpointRole;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: unknown;
  actor?: string;
  /** When the request arrived, ms since the scenario started (default: 10 ms per step). */
  at?: number;
  /** How long the world took to answer (default 1 ms). */
  durationMs?: number;
  /** Which server answered (default: by origin, the AS's or the resource server's). */
  server?: Exchange['server'];
}

export function trace(world: WorldFacts, steps: Step[]): Trace {
  const exchanges: Exchange[] = steps.map((s, i) => ({
    id: i + 1,
    at: s.at ?? i * 10,
    durationMs: s.durationMs ?? 1,
    actor: s.actor ?? 'client-1',
    server: s.server ?? (s.url.startsWith(AS) ? 'as' : 'rs'),
    role: s.role,
    request: { method: s.method ?? 'GET', url: s.url, headers: s.headers ?? {}, ...(s.body !== undefined ? { body: s.body } : {}) },
    response: {
      status: s.status ?? 200,
      headers: s.responseHeaders ?? {},
      ...(s.responseBody !== undefined ? { body: typeof s.responseBody === 'string' ? s.responseBody : JSON.stringify(s.responseBody) } : {}),
    },
  }));
  return { scenario: 'test', specVersion: '2026-07-28', startedAt: new Date(0).toISOString(), world, exchanges, events: [], processes: [] };
}

export const formBody = (params: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(params).toString(),
});

/** One start of the client, as the engine records it in `trace.runs`. */
export interface RunStep {
  label: string;
  actors: string[];
  startedAt?: number;
  endedAt?: number;
  clientRefuses?: boolean;
  /** The world's knobs during the run (overrides over the defaults), where a check reads them. */
  knobs?: KnobOverrides;
}

/** The trace with its runs recorded, the way the engine records several starts of the client. */
export function withRuns(t: Trace, runs: RunStep[]): Trace {
  const recorded: RunRecord[] = runs.map((r, index) => ({
    index,
    label: r.label,
    actors: r.actors,
    // Unknown spans put the kit's browser in the run of the client request before it.
    startedAt: r.startedAt ?? Number.NaN,
    endedAt: r.endedAt ?? Number.NaN,
    knobs: r.knobs ? knobs(r.knobs) : {},
    expiredTokens: false,
    clientRefuses: r.clientRefuses ?? false,
  }));
  return { ...t, runs: recorded };
}

// Builds small traces by hand for unit tests of checks: a world's facts and the exchanges a
// client made, without starting anything.
import type { EndpointRole, Exchange, Trace, WorldFacts } from '../../core/trace.js';
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

interface Step {
  role: EndpointRole;
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: unknown;
  actor?: string;
}

export function trace(world: WorldFacts, steps: Step[]): Trace {
  const exchanges: Exchange[] = steps.map((s, i) => ({
    id: i + 1,
    at: i * 10,
    durationMs: 1,
    actor: s.actor ?? 'client-1',
    server: s.url.startsWith(AS) ? 'as' : 'rs',
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

// The answer path rules handlers out by method and fixed URL before msw tries them. It must never
// rule out a handler msw would match, or a request would be answered by a later handler (or 404).
import fc from 'fast-check';
import type { RequestHandler } from 'msw';
import { describe, expect, it } from 'vitest';
import { candidateHandlers } from '../../mocks/answer.js';
import { knobs, type KnobOverrides } from '../../mocks/knobs.js';
import { createWorldHandlers } from '../../mocks/world-handlers.js';

const ORIGINS = { rsOrigin: 'http://127.0.0.1:41000', asOrigin: 'http://127.0.0.1:41001', as2Origin: 'http://127.0.0.1:41002' };
const WORLDS: KnobOverrides[] = [
  {},
  { as: { issuerPath: '/tenant1', metadata: ['oidc-inserted', 'oidc-appended'] } },
  { prm: { location: 'root' }, rs: { mcpPath: '/' } },
  { prm: { location: 'custom' }, rs: { resourceMetadataPath: '/meta/data' } },
  { legacy: 'default-endpoints', prm: { location: 'none' } },
  { as2: {}, prm: { authorizationServer: 'second' } },
];

/** URLs a handler of the world names, or close to them: case changed, a trailing slash, a query, another path. */
function requestArbitrary(urls: string[]) {
  const base = fc.oneof(fc.constantFrom(...urls), fc.constantFrom(...Object.values(ORIGINS)).map((o) => `${o}/unknown`));
  const variant = fc.record({
    url: base,
    upper: fc.boolean(),
    slash: fc.boolean(),
    query: fc.option(fc.constantFrom('?a=1', '?code=x&state=y', '#frag'), { nil: undefined }),
    method: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'get'),
  });
  return variant.map(({ url, upper, slash, query, method }) => {
    const parsed = new URL(url);
    const path = (upper ? parsed.pathname.toUpperCase() : parsed.pathname) + (slash ? '/' : '');
    return { url: parsed.origin + path + (query ?? ''), method };
  });
}

describe('candidateHandlers', () => {
  for (const overrides of WORLDS) {
    it(`keeps every handler msw would match, in order (${JSON.stringify(overrides)})`, async () => {
      const world = await createWorldHandlers(knobs(overrides), ORIGINS);
      const urls = world.handlers.map((h) => (h.info as { path?: unknown }).path).filter((p): p is string => typeof p === 'string' && p.startsWith('http'));
      await fc.assert(
        fc.asyncProperty(requestArbitrary(urls), async ({ url, method }) => {
          const request = new Request(url, { method });
          const kept = candidateHandlers(world.handlers, request);
          const matching: RequestHandler[] = [];
          for (const handler of world.handlers) if (await handler.test({ request })) matching.push(handler);
          expect(matching.every((h) => kept.includes(h))).toBe(true);
          // Order is kept, so msw's first match is the same.
          expect(kept).toEqual(world.handlers.filter((h) => kept.includes(h)));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('rules out the resource server handlers for a token request', async () => {
    const world = await createWorldHandlers(knobs(), ORIGINS);
    const kept = candidateHandlers(world.handlers, new Request(`${ORIGINS.asOrigin}/token`, { method: 'POST' }));
    expect(kept.length).toBeLessThan(world.handlers.length / 2);
  });
});

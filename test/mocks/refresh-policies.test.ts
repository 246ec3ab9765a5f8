import { describe, expect, it } from 'vitest';
import { FAMILY_REVOKED_HEADER, REFRESH_GENERATION_HEADER } from '../../mocks/authorization-server/diagnostics.js';
import type { AsKnobs, RefreshRejectionShape } from '../../mocks/knobs.js';
import type { World } from '../../mocks/world.js';
import { codeFlow, newWorld, refresh, sleep, type RefreshResult } from './world-helpers.js';

// Inside-window cases use a window no slow machine can overrun; outside-window cases a short one
// and a sleep well past it.
const WIDE = 60_000;
const NARROW = 100;
const PAST_NARROW = 300;

async function startFamily(as: Partial<AsKnobs>) {
  const { world, recorder } = await newWorld({ as });
  const tokens = await codeFlow(world);
  return { world, recorder, clientId: tokens.client.client_id, rt0: tokens.refresh_token! };
}

/** The refresh-generation header as a record: family, generation, outcome (and revoked-siblings). */
function generationOf(result: RefreshResult): Record<string, string> {
  const value = result.headers.get(REFRESH_GENERATION_HEADER);
  expect(value, 'refresh-generation header').toBeTruthy();
  return Object.fromEntries(value!.split('; ').map((part) => part.split('=') as [string, string]));
}

async function rotateOk(world: World, clientId: string, token: string): Promise<RefreshResult & { rt: string }> {
  const result = await refresh(world, clientId, token);
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  expect(result.headers.get(FAMILY_REVOKED_HEADER)).toBeNull();
  return { ...result, rt: result.body.refresh_token as string };
}

/** `replayed` sets reuse detection off; afterwards `latest` (the newest token) is dead as well. */
async function expectReuseDetected(world: World, clientId: string, replayed: string, latest: string) {
  const reuse = await refresh(world, clientId, replayed);
  expect(reuse.status).toBe(400);
  expect(reuse.body.error).toBe('invalid_grant');
  expect(reuse.headers.get(FAMILY_REVOKED_HEADER)).toMatch(/^reuse; family=[\w-]+; detected=now$/);
  const after = await refresh(world, clientId, latest);
  expect(after.status).toBe(400);
  expect(after.body.error).toBe('invalid_grant');
  expect(after.headers.get(FAMILY_REVOKED_HEADER)).toMatch(/^reuse; family=[\w-]+; detected=earlier$/);
  expect(after.headers.get(FAMILY_REVOKED_HEADER)!.split('; ')[1]).toBe(reuse.headers.get(FAMILY_REVOKED_HEADER)!.split('; ')[1]);
}

describe('refresh diagnostics', () => {
  it('name family and generation on the code response and on every rotation', async () => {
    const { world, recorder, clientId, rt0 } = await startFamily({});
    const codeResponse = recorder.exchanges.filter((e) => e.role === 'token')[0].response!;
    const root = Object.fromEntries(codeResponse.headers[REFRESH_GENERATION_HEADER].split('; ').map((p) => p.split('=')));
    expect(root).toEqual({ family: expect.stringMatching(/^[\w-]+$/), generation: '0', outcome: 'issued' });

    const first = await rotateOk(world, clientId, rt0);
    expect(generationOf(first)).toEqual({ family: root.family, generation: '1', outcome: 'issued' });
    const second = await rotateOk(world, clientId, first.rt);
    expect(generationOf(second)).toEqual({ family: root.family, generation: '2', outcome: 'issued' });
    // The trace alone says which token superseded which.
    const refreshes = recorder.exchanges.filter((e) => e.role === 'token').slice(1);
    expect(refreshes.map((e) => new URLSearchParams(e.request.body).get('refresh_token'))).toEqual([rt0, first.rt]);
    expect(refreshes.map((e) => e.response!.headers[REFRESH_GENERATION_HEADER])).toEqual([
      `family=${root.family}; generation=1; outcome=issued`,
      `family=${root.family}; generation=2; outcome=issued`,
    ]);
  });

  it('give separate families separate ids', async () => {
    const { world } = await newWorld();
    const a = await codeFlow(world);
    const b = await codeFlow(world, { client: a.client });
    const family = async (rt: string) => generationOf(await rotateOk(world, a.client.client_id, rt)).family;
    expect(await family(a.refresh_token!)).not.toBe(await family(b.refresh_token!));
  });
});

describe("refresh policy 'strict' (default)", () => {
  it('revokes the family when the predecessor is replayed, even inside a grace window', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshGraceMs: WIDE });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    await expectReuseDetected(world, clientId, rt0, rt1);
  });

  it('revokes the family when a grandparent is replayed', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'strict' });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    const rt2 = (await rotateOk(world, clientId, rt1)).rt;
    await expectReuseDetected(world, clientId, rt0, rt2);
  });
});

describe("refresh policy 'grace-same'", () => {
  it('answers the predecessor inside the window with the same pair, again and again', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'grace-same', refreshGraceMs: WIDE });
    const first = await rotateOk(world, clientId, rt0);
    for (let i = 0; i < 2; i++) {
      const replay = await rotateOk(world, clientId, rt0);
      expect(replay.body).toEqual(first.body);
      expect(generationOf(replay)).toEqual({ ...generationOf(first), outcome: 'replayed' });
    }
    // The successor was never replaced: it still rotates normally.
    expect(generationOf(await rotateOk(world, clientId, first.rt)).generation).toBe('2');
  });

  it('treats the predecessor outside the window as reuse', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'grace-same', refreshGraceMs: NARROW });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    await sleep(PAST_NARROW);
    await expectReuseDetected(world, clientId, rt0, rt1);
  });

  it('treats a grandparent inside the window as reuse', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'grace-same', refreshGraceMs: WIDE });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    const rt2 = (await rotateOk(world, clientId, rt1)).rt;
    await expectReuseDetected(world, clientId, rt0, rt2);
  });
});

describe("refresh policy 'grace-sibling'", () => {
  it('mints another successor for the predecessor inside the window, all of them valid', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'grace-sibling', refreshGraceMs: WIDE });
    const first = await rotateOk(world, clientId, rt0);
    const sibling = await rotateOk(world, clientId, rt0);
    expect(sibling.rt).not.toBe(first.rt);
    expect(sibling.body.access_token).not.toBe(first.body.access_token);
    expect(generationOf(sibling)).toEqual({ ...generationOf(first), outcome: 'issued' });
    const fromFirst = await rotateOk(world, clientId, first.rt);
    const fromSibling = await rotateOk(world, clientId, sibling.rt);
    expect(generationOf(fromFirst).generation).toBe('2');
    expect(generationOf(fromSibling).generation).toBe('2');
    // Both successors are used now, so rt0 is a grandparent.
    await expectReuseDetected(world, clientId, rt0, fromSibling.rt);
  });

  it('treats the predecessor outside the window as reuse', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'grace-sibling', refreshGraceMs: NARROW });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    await sleep(PAST_NARROW);
    await expectReuseDetected(world, clientId, rt0, rt1);
  });

  it('treats a grandparent inside the window as reuse', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'grace-sibling', refreshGraceMs: WIDE });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    const rt2 = (await rotateOk(world, clientId, rt1)).rt;
    await expectReuseDetected(world, clientId, rt0, rt2);
  });
});

describe("refresh policy 'latest-wins'", () => {
  it('mints a new pair for the predecessor inside the window and revokes the earlier successor', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'latest-wins', refreshGraceMs: WIDE });
    const first = await rotateOk(world, clientId, rt0);
    const latest = await rotateOk(world, clientId, rt0);
    expect(latest.rt).not.toBe(first.rt);
    expect(generationOf(latest)).toEqual({ ...generationOf(first), outcome: 'issued', 'revoked-siblings': '1' });

    // The replaced successor is refused without killing the family.
    const replaced = await refresh(world, clientId, first.rt);
    expect(replaced.status).toBe(400);
    expect(replaced.body.error).toBe('invalid_grant');
    expect(replaced.headers.get(FAMILY_REVOKED_HEADER)).toBeNull();
    const next = await rotateOk(world, clientId, latest.rt);
    // Using the latest closes the window: rt0 is a grandparent now.
    await expectReuseDetected(world, clientId, rt0, next.rt);
  });

  it('treats the predecessor outside the window as reuse', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'latest-wins', refreshGraceMs: NARROW });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    await sleep(PAST_NARROW);
    await expectReuseDetected(world, clientId, rt0, rt1);
  });

  it('treats a grandparent inside the window as reuse', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'latest-wins', refreshGraceMs: WIDE });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    const rt2 = (await rotateOk(world, clientId, rt1)).rt;
    await expectReuseDetected(world, clientId, rt0, rt2);
  });
});

describe("refresh policy 'no-invalidation'", () => {
  it('keeps every token valid: predecessor and grandparent, inside and outside the window', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshPolicy: 'no-invalidation', refreshGraceMs: NARROW });
    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    const rt2 = (await rotateOk(world, clientId, rt1)).rt;
    const again = await rotateOk(world, clientId, rt0);
    expect(again.rt).not.toBe(rt1);
    expect(generationOf(again).generation).toBe('1');
    await sleep(PAST_NARROW);
    for (const token of [rt0, rt1, rt2, again.rt]) await rotateOk(world, clientId, token);
  });
});

describe('refresh rejection shapes', () => {
  const shapes: Array<[RefreshRejectionShape, number, Record<string, unknown>]> = [
    ['invalid_grant', 400, { error: 'invalid_grant' }],
    ['401', 401, { error: 'invalid_grant' }],
    ['403', 403, { error: 'invalid_grant' }],
    ['404', 404, { type: 'error', error: { type: 'not_found_error' } }],
    ['unauthorized_client', 400, { error: 'unauthorized_client' }],
  ];

  it.each(shapes)('%s: unknown and reused tokens get status %i and that body', async (shape, status, body) => {
    const { world, clientId, rt0 } = await startFamily({ refreshRejection: shape });
    const unknown = await refresh(world, clientId, 'made-up');
    expect(unknown.status).toBe(status);
    expect(unknown.body).toMatchObject(body);
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    expect(unknown.headers.get(FAMILY_REVOKED_HEADER)).toBeNull();

    const rt1 = (await rotateOk(world, clientId, rt0)).rt;
    const reuse = await refresh(world, clientId, rt0);
    expect(reuse.status).toBe(status);
    expect(reuse.body).toMatchObject(body);
    expect(reuse.headers.get(FAMILY_REVOKED_HEADER)).toMatch(/detected=now$/);
    expect((await refresh(world, clientId, rt1)).status).toBe(status);
  });

  it('404 carries exactly the not_found_error envelope', async () => {
    const { world, clientId } = await startFamily({ refreshRejection: '404' });
    expect((await refresh(world, clientId, 'made-up')).body).toEqual({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('leave the other refusals of the token endpoint alone', async () => {
    const { world, clientId, rt0 } = await startFamily({ refreshRejection: '404' });
    const wider = await refresh(world, clientId, rt0, { scope: 'more' });
    expect(wider.status).toBe(400);
    expect(wider.body.error).toBe('invalid_scope');
  });
});

describe('refresh without rotation (rotateRefreshTokens: false)', () => {
  it('answers without a refresh token and keeps the presented one valid', async () => {
    const { world, clientId, rt0 } = await startFamily({ rotateRefreshTokens: false });
    for (let i = 0; i < 3; i++) {
      const result = await rotateOk(world, clientId, rt0);
      expect(result.body).not.toHaveProperty('refresh_token');
      expect(result.body.access_token).toEqual(expect.any(String));
      expect(generationOf(result)).toMatchObject({ generation: '0', outcome: 'kept' });
    }
  });
});

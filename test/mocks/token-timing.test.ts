import { STATUS_CODES } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FAMILY_REVOKED_HEADER } from '../../mocks/authorization-server/diagnostics.js';
import { faultResponse } from '../../mocks/authorization-server/token-timing.js';
import type { Exchange } from '../../core/trace.js';
import { knobs, type TokenFault } from '../../mocks/knobs.js';
import { ACTOR_HEADER } from '../../mocks/world.js';
import { REDIRECT_URI, codeFlow, newWorld, obtainCode, refresh, sleep, tokenRequest } from './world-helpers.js';

const tokenExchanges = (exchanges: Exchange[]) => exchanges.filter((e) => e.role === 'token');
const presented = (e: Exchange) => new URLSearchParams(e.request.body).get('refresh_token');

describe('token endpoint latency', () => {
  it('delays the i-th token request of the world, so a later request can be answered first', async () => {
    // Request 0 is the code redemption; 1 is slow; 2 and anything after are not delayed.
    const { world, recorder } = await newWorld({ as: { tokenLatencyMs: [0, 700] } });
    const { client, refresh_token } = await codeFlow(world);
    const slow = refresh(world, client.client_id, refresh_token!);
    await sleep(150);
    const fast = await refresh(world, client.client_id, 'made-up');
    expect(fast.status).toBe(400);
    expect((await slow).status).toBe(200);

    const [code, first, second] = tokenExchanges(recorder.exchanges);
    expect(new URLSearchParams(code.request.body).get('grant_type')).toBe('authorization_code');
    // Recorded in the order answered: the unknown token first, though it arrived second.
    expect(presented(first)).toBe('made-up');
    expect(presented(second)).toBe(refresh_token);
    expect(second.at).toBeLessThan(first.at);
    expect(second.durationMs).toBeGreaterThanOrEqual(650);
    expect(first.durationMs).toBeLessThan(500);
  });
});

describe('refresh barrier', () => {
  it('holds the first refresh until the second arrives, then processes them in arrival order', async () => {
    const { world, recorder } = await newWorld({ as: { refreshBarrier: 2 } });
    const { client, refresh_token } = await codeFlow(world);
    const send = (actor: string) =>
      tokenRequest(world, { grant_type: 'refresh_token', refresh_token, client_id: client.client_id }, { [ACTOR_HEADER]: actor });

    let firstAnswered = false;
    const first = send('client-1').then((response) => {
      firstAnswered = true;
      return response;
    });
    await sleep(400);
    expect(firstAnswered).toBe(false);
    const [a, b] = await Promise.all([first, send('client-2')]);

    // Strict rotation: the first arrival rotates, the second is reuse and kills the family.
    expect(a.status).toBe(200);
    expect(b.status).toBe(400);
    expect(b.headers.get(FAMILY_REVOKED_HEADER)).toMatch(/detected=now$/);

    // Exchanges are recorded as answered, and the refusal needs no signing: look them up by actor.
    const refreshes = tokenExchanges(recorder.exchanges).slice(1);
    const one = refreshes.find((e) => e.actor === 'client-1')!;
    const two = refreshes.find((e) => e.actor === 'client-2')!;
    expect([one.response!.status, two.response!.status]).toEqual([200, 400]);
    // The two requests overlap at the server: the second arrived before the first was answered.
    expect(two.at).toBeGreaterThan(one.at);
    expect(two.at).toBeLessThan(one.at + one.durationMs);
  });

  it('releases a larger group in arrival order: only the first arrival rotates under strict rotation', async () => {
    const { world } = await newWorld({ as: { refreshBarrier: 4 } });
    const { client, refresh_token } = await codeFlow(world);
    const sent: Promise<Response>[] = [];
    for (let i = 1; i <= 4; i++) {
      sent.push(tokenRequest(world, { grant_type: 'refresh_token', refresh_token, client_id: client.client_id }, { [ACTOR_HEADER]: `client-${i}` }));
      await sleep(40);
    }
    const statuses = (await Promise.all(sent)).map((response) => response.status);
    expect(statuses).toEqual([200, 400, 400, 400]);
  });

  it('lets idempotent grace answer both racing copies with the same pair', async () => {
    const { world } = await newWorld({ as: { refreshBarrier: 2, refreshPolicy: 'grace-same', refreshGraceMs: 60_000 } });
    const { client, refresh_token } = await codeFlow(world);
    const [a, b] = await Promise.all([refresh(world, client.client_id, refresh_token!), refresh(world, client.client_id, refresh_token!)]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body).toEqual(a.body);
  });

  it('lets a lone refresh through after 2 s, and never holds other grants', async () => {
    const { world, recorder } = await newWorld({ as: { refreshBarrier: 3 } });
    const { client, refresh_token } = await codeFlow(world);
    expect(tokenExchanges(recorder.exchanges)[0].durationMs).toBeLessThan(1000);
    const lone = await refresh(world, client.client_id, refresh_token!);
    expect(lone.status).toBe(200);
    const held = tokenExchanges(recorder.exchanges)[1];
    expect(held.durationMs).toBeGreaterThanOrEqual(1900);
  });
});

describe('token endpoint faults', () => {
  it.each([429, 500, 502, 503] as const)('answers the first refreshes with %i and consumes nothing', async (status) => {
    const { world } = await newWorld({ as: { tokenFaults: [{ status, count: 2, grant: 'refresh_token' }] } });
    // The code redemption does not match the fault.
    const { client, refresh_token } = await codeFlow(world);
    for (let i = 0; i < 2; i++) {
      const failed = await refresh(world, client.client_id, refresh_token!);
      expect(failed.status).toBe(status);
      expect(failed.headers.get('retry-after')).toBe(status === 429 ? '1' : null);
      expect(failed.headers.get('cache-control')).toBe('no-store');
    }
    // Under strict rotation a consumed token would now be reuse.
    const recovered = await refresh(world, client.client_id, refresh_token!);
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get(FAMILY_REVOKED_HEADER)).toBeNull();
  });

  it('can hit the code redemption, which then still works with the same code', async () => {
    const { world } = await newWorld({ as: { tokenFaults: [{ status: 503, count: 1, grant: 'authorization_code' }] } });
    const { client, code, verifier, resource } = await obtainCode(world);
    const redeem = () =>
      tokenRequest(world, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, resource, client_id: client.client_id });
    expect((await redeem()).status).toBe(503);
    const response = await redeem();
    expect(response.status).toBe(200);
    const { refresh_token } = (await response.json()) as { refresh_token: string };
    // A refresh does not match this fault.
    expect((await refresh(world, client.client_id, refresh_token)).status).toBe(200);
  });

  it('spends each fault of a list in turn, any grant when none is named', async () => {
    const faults: TokenFault[] = [
      { status: 429, count: 1 },
      { status: 502, count: 1, grant: 'refresh_token' },
    ];
    const { world } = await newWorld({ as: { tokenFaults: faults } });
    const { client, code, verifier, resource } = await obtainCode(world);
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, resource, client_id: client.client_id };
    expect((await tokenRequest(world, form)).status).toBe(429);
    const { refresh_token } = (await (await tokenRequest(world, form)).json()) as { refresh_token: string };
    expect((await refresh(world, client.client_id, refresh_token)).status).toBe(502);
    expect((await refresh(world, client.client_id, refresh_token)).status).toBe(200);
  });

  it('keep their budgets when reconfigured with the same list, and rearm with a different one', async () => {
    const fault: TokenFault = { status: 503, count: 1, grant: 'refresh_token' };
    const { world } = await newWorld({ as: { tokenFaults: [fault] } });
    const { client, refresh_token } = await codeFlow(world);
    expect((await refresh(world, client.client_id, refresh_token!)).status).toBe(503);
    await world.reconfigure(knobs({ as: { tokenFaults: [fault] }, prm: { cacheControl: 'max-age=60' } }));
    const next = await refresh(world, client.client_id, refresh_token!);
    expect(next.status).toBe(200);
    await world.reconfigure(knobs({ as: { tokenFaults: [{ ...fault, status: 500 }] } }));
    expect((await refresh(world, client.client_id, next.body.refresh_token as string)).status).toBe(500);
  });

  it('say what Node would have said for every status a fault may have, without node:http (the world also runs in a browser)', async () => {
    for (const status of [429, ...Array.from({ length: 100 }, (_, i) => 500 + i)]) {
      expect(await faultResponse(status).text()).toBe(`${status} ${STATUS_CODES[status] ?? 'Error'}`);
    }
  });
});

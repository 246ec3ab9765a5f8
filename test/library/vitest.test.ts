// The vitest entry point: the `world` fixture (msw listening for the test's duration only), scenario
// and option overrides, and the matchers on a correct client and on one with a defect.
import { describe, expect } from 'vitest';
import { callTestTool } from '../../examples/vitest/client.js';
import { test, type MswWorld } from '../../library/vitest.js';
import { preRegisteredOf } from '../support/library-drive.js';

/** The client with one defect: its token requests lose the resource parameter on the way out. */
const withoutResource: typeof fetch = async (input, init) => {
  if (init?.body instanceof URLSearchParams && init.body.has('grant_type')) {
    const body = new URLSearchParams(init.body);
    body.delete('resource');
    return fetch(input, { ...init, body });
  }
  return fetch(input, init);
};

let earlierWorld: MswWorld | undefined;

describe('the default world', () => {
  test('is auth/metadata-default, and a correct client passes its checks, a suite of them, and some by id', async ({ world }) => {
    earlierWorld = world;
    expect(world.scenario.id).toBe('auth/metadata-default');
    await callTestTool(world.mcpUrl);
    expect(world).toPassChecks();
    expect(world).toPassChecks('core');
    expect(world).toPassChecks(['pkce-s256', 'resource-in-token-request']);
    expect(world).toPassChecks('pkce-s256');
    // A trace alone names its scenario.
    expect(world.trace()).toPassChecks();
  });

  test('is served for its test only', async ({ world }) => {
    expect(world.mcpUrl).not.toBe(earlierWorld?.mcpUrl);
    await expect(fetch(earlierWorld!.facts.prmUrl!)).rejects.toThrow();
    expect((await fetch(world.facts.prmUrl!)).status).toBe(200);
  });

  test('fails a client with a defect, naming the check, its requirements and the exchange', async ({ world }) => {
    await callTestTool(world.mcpUrl, { fetch: withoutResource });
    expect(world).not.toPassChecks();
    expect(world).toFailCheck('resource-in-token-request');
    expect(world).toFailCheck('resource-in-token-request', /resource/);
    expect(world).not.toFailCheck('pkce-s256');
    expect(world).toPassChecks(['pkce-s256']);

    let message = '';
    try {
      expect(world).toPassChecks('core');
    } catch (error) {
      message = (error as Error).message;
    }
    const token = world.facts.endpoints.token;
    expect(message).toMatch(/^expected the client to pass the checks \(auth\/metadata-default at 2026-07-28, "core": \d+ pass, \d+ fail/);
    expect(message).toMatch(/\nFAIL resource-in-token-request \[MUST C-RES-02, RI-C-03, C-RES-06\]: .+/);
    expect(message).toContain(`POST ${token} → 200`);
    expect(message).toMatch(/form\.resource: \(absent\)/);
  });

  test('a selection that names nothing is an error, not a pass', async ({ world }) => {
    await callTestTool(world.mcpUrl);
    expect(() => expect(world).toPassChecks('nonexistent-suite')).toThrow(
      /"nonexistent-suite" is neither a suite \(all, core, metadata, .*\) nor a check of scenario "auth\/metadata-default" at 2026-07-28/,
    );
    expect(() => expect(world).toPassChecks(['pkce-s265'])).toThrow(/"pkce-s265" is not a check of scenario "auth\/metadata-default" at 2026-07-28; did you mean pkce-s256/);
    expect(() => expect(world).toPassChecks('step-up')).toThrow(/scenario "auth\/metadata-default" is not in suite "step-up"/);
    expect(() => expect({ exchanges: [] }).toPassChecks()).toThrow(/expected a world .* or its trace/);
  });
});

describe('another scenario for a block', () => {
  test.override({ worldOptions: { scenario: 'auth/pre-registration' } });

  test('uses the scenario\'s context', async ({ world }) => {
    expect(world.context).toEqual({ name: 'auth/pre-registration', client_id: 'pre-registered-client', client_secret: 'pre-registered-secret' });
    await callTestTool(world.mcpUrl, { preRegistered: preRegisteredOf(world) });
    expect(world).toPassChecks('registration');
  });
});

describe('strict', () => {
  // The example client does not use CIMD where it could: a SHOULD, so a warning.
  test.override({ worldOptions: { scenario: 'auth/basic-cimd' } });

  test('turns a warning into a failure when the matcher asks', async ({ world }) => {
    await callTestTool(world.mcpUrl);
    expect(world).toPassChecks();
    expect(world).not.toPassChecks(undefined, { strict: true });
    expect(world).toFailCheck('registration-priority');
  });

  describe('for the whole world', () => {
    test.override({ worldOptions: { scenario: 'auth/basic-cimd', strict: true } });

    test('and when the world was made strict', async ({ world }) => {
      await callTestTool(world.mcpUrl);
      expect(world.verdicts().find((c) => c.id === 'registration-priority')?.status).toBe('fail');
      expect(world).not.toPassChecks();
      expect(world).toPassChecks(undefined, { strict: false });
    });
  });
});

describe('knobs and unhandled requests', () => {
  test.override({ worldOptions: { knobs: { rs: { challengeScope: 'mcp:read' } }, onUnhandledRequest: 'error' } });

  test('knobs shape the world; an unhandled request is refused by msw', async ({ world }) => {
    const challenge = await fetch(world.mcpUrl, { method: 'POST', body: '{}' });
    expect(challenge.headers.get('www-authenticate')).toContain('scope="mcp:read"');
    const unhandled = await fetch('http://unhandled.invalid/elsewhere').catch((error: Error) => error);
    expect(unhandled).toBeInstanceOf(Error);
    expect(String((unhandled as Error).cause ?? unhandled)).toMatch(/MSW|unhandled/i);
  });
});

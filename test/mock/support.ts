// Mocks started in the test's own process on free ports, their log lines kept, closed after each
// test; and a client's requests made with plain fetch through the world helpers.
import { afterEach } from 'vitest';
import { createLiveLog } from '../../reporters/live-log.js';
import { startClientMock, startServerMock, type ClientMockOptions, type RunningMock } from '../../core/mock/service.js';
import { DEFAULT_SCENARIO, findScenario } from '../../library/world.js';
import { mergeKnobs, type KnobOverrides } from '../../mocks/knobs.js';
import type { World } from '../../mocks/world.js';

const running: RunningMock[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((mock) => mock.close()));
});

export interface Started {
  mock: RunningMock;
  /** Every line the mock printed so far, without colour. */
  lines: string[];
  control: string;
}

function collector(): { lines: string[]; log: ReturnType<typeof createLiveLog> } {
  const lines: string[] = [];
  const log = createLiveLog({ write: (text) => lines.push(...text.split('\n').filter(Boolean)), color: false, quiet: false });
  return { lines, log };
}

export async function clientMock(options: { scenario?: string; knobs?: KnobOverrides } & Partial<Pick<ClientMockOptions, 'strict' | 'specVersion' | 'judgeQuietMs'>> = {}): Promise<Started> {
  const scenario = findScenario(options.scenario ?? DEFAULT_SCENARIO);
  const { lines, log } = collector();
  const mock = await startClientMock({
    port: 0,
    scenario,
    knobs: mergeKnobs(scenario.world, options.knobs),
    specVersion: options.specVersion ?? '2026-07-28',
    strict: options.strict ?? false,
    // Verdict lines as soon as the test's requests stop, not half a second later.
    judgeQuietMs: options.judgeQuietMs ?? 20,
    log,
  });
  running.push(mock);
  return { mock, lines, control: mock.info().urls.control };
}

export async function serverMock(resource: string): Promise<Started> {
  const { lines, log } = collector();
  const mock = await startServerMock({ port: 0, resource, log });
  running.push(mock);
  return { mock, lines, control: mock.info().urls.control };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** One control API request; a JSON body goes as JSON, a string as it is. */
export async function api(control: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(control + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // HTML or text: kept as it came
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Polls until `condition` holds; the deadline covers a machine busy with other test runs. */
export async function waitFor<T>(condition: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * What the world helpers need of a world, found as a client finds it: the MCP URL from the mock,
 * the endpoints from the authorization server's metadata.
 */
export async function worldOf(started: Started): Promise<World> {
  const { urls } = started.mock.info();
  const metadata = (await (await fetch(urls.asMetadata)).json()) as Record<string, string>;
  const facts = {
    mcpUrl: urls.mcp,
    canonicalResource: urls.mcp,
    endpoints: { authorize: metadata.authorization_endpoint, token: metadata.token_endpoint, register: metadata.registration_endpoint, jwks: metadata.jwks_uri },
  };
  return { facts } as unknown as World;
}

import { describe, expect, it } from 'vitest';
import { knobs, type RsKnobs } from '../../mocks/knobs.js';
import type { World } from '../../mocks/world.js';
import { codeFlow, mcp, newWorld, rpc } from './world-helpers.js';

const callTool = (id: number, name: string) => rpc(id, 'tools/call', { name, arguments: {} });

/** Challenge parameters as a sorted list, so two challenges can be compared ignoring order. */
function parameters(challenge: string): string[] {
  return [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`).sort();
}

async function deniedChallenges(rs: Partial<RsKnobs>, count: number): Promise<{ world: World; challenges: string[] }> {
  const { world } = await newWorld({ rs: { toolScopes: { admin: ['admin'] }, ...rs } });
  const { access_token } = await codeFlow(world, { scope: 'read' });
  const challenges: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await mcp(world, callTool(i, 'admin'), access_token);
    expect(response.status).toBe(403);
    challenges.push(response.headers.get('www-authenticate')!);
  }
  return { world, challenges };
}

describe('tools/list', () => {
  it('lists every tool a step-up or bare-403 policy names, once', async () => {
    const { world } = await newWorld({ rs: { toolScopes: { admin: ['admin'], 'test-tool': ['x'] }, bare403Tools: ['waf-blocked', 'admin'] } });
    const { access_token } = await codeFlow(world);
    const list = (await (await mcp(world, rpc(1, 'tools/list'), access_token)).json()) as { result: { tools: { name: string }[] } };
    expect(list.result.tools.map((t) => t.name)).toEqual(['test-tool', 'admin', 'waf-blocked']);
  });
});

describe('403 challenge variation', () => {
  it("'none' (default) repeats the same challenge", async () => {
    const { world, challenges } = await deniedChallenges({}, 3);
    expect(new Set(challenges).size).toBe(1);
    expect(challenges[0]).toBe(`Bearer error="insufficient_scope", scope="admin", resource_metadata="${world.facts.prmUrl}"`);
  });

  it("'description' differs only in an error_description counter", async () => {
    const { world, challenges } = await deniedChallenges({ challengeVariation: 'description' }, 3);
    expect(new Set(challenges).size).toBe(3);
    expect(challenges.map((c) => /error_description="([^"]+)"/.exec(c)![1])).toEqual([
      'the operation needs more scope (challenge 1)',
      'the operation needs more scope (challenge 2)',
      'the operation needs more scope (challenge 3)',
    ]);
    const withoutDescription = challenges.map((c) => c.replace(/, error_description="[^"]+"/, ''));
    expect(new Set(withoutDescription)).toEqual(new Set([`Bearer error="insufficient_scope", scope="admin", resource_metadata="${world.facts.prmUrl}"`]));
  });

  it("'order' differs only in parameter order, every challenge from the one before", async () => {
    const { challenges } = await deniedChallenges({ challengeVariation: 'order' }, 7);
    for (let i = 1; i < challenges.length; i++) expect(challenges[i]).not.toBe(challenges[i - 1]);
    // All six orders of three parameters, then round again.
    expect(new Set(challenges).size).toBe(6);
    expect(challenges[6]).toBe(challenges[0]);
    expect(new Set(challenges.map((c) => parameters(c).join('|'))).size).toBe(1);
    expect(parameters(challenges[0])).toEqual(['error=insufficient_scope', expect.stringMatching(/^resource_metadata=http/), 'scope=admin']);
  });

  it('keeps its counter across a reconfiguration that leaves it unchanged', async () => {
    const { world, challenges } = await deniedChallenges({ challengeVariation: 'description' }, 1);
    const { access_token } = await codeFlow(world, { scope: 'read' });
    await world.reconfigure(knobs({ rs: { toolScopes: { admin: ['admin'] }, challengeVariation: 'description' }, prm: { cacheControl: 'no-cache' } }));
    const next = (await mcp(world, callTool(9, 'admin'), access_token)).headers.get('www-authenticate')!;
    expect(challenges[0]).toContain('(challenge 1)');
    expect(next).toContain('(challenge 2)');
  });
});

describe('bare 403', () => {
  it('refuses the named tools with a JSON 403 and no challenge, after authentication', async () => {
    const { world } = await newWorld({ rs: { bare403Tools: ['waf-blocked'] } });
    // Without a token the usual 401 challenge comes first.
    expect((await mcp(world, callTool(1, 'waf-blocked'))).status).toBe(401);
    const { access_token } = await codeFlow(world, { scope: 'everything' });
    const refused = await mcp(world, callTool(2, 'waf-blocked'), access_token);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBeNull();
    expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await refused.json()).toEqual({ error: 'forbidden', message: 'calling waf-blocked is not allowed here' });
    expect((await mcp(world, callTool(3, 'test-tool'), access_token)).status).toBe(200);
    // In a batch too.
    expect((await mcp(world, [rpc(4, 'ping'), callTool(5, 'waf-blocked')], access_token)).status).toBe(403);
  });
});

describe('rs.alwaysInsufficientScope', () => {
  it('refuses every request with a valid token for more scope, whatever the token carries, and leaves public methods open', async () => {
    const { world } = await newWorld({ rs: { publicMethods: ['initialize'], alwaysInsufficientScope: 'mcp:admin' } });
    const { access_token } = await codeFlow(world, { scope: 'mcp:admin' });
    for (const [id, body] of [[1, rpc(1, 'tools/list')], [2, callTool(2, 'test-tool')]] as const) {
      const response = await mcp(world, body, access_token);
      expect(response.status, `request ${id}`).toBe(403);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="mcp:admin"/);
    }
    expect((await mcp(world, rpc(3, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } }))).status).toBe(200);
  });
});

describe('giveUpAfter', () => {
  it('answers 410 to every request once that many authenticated requests were denied with 403', async () => {
    const { world } = await newWorld({ rs: { toolScopes: { admin: ['admin'] }, bare403Tools: ['waf-blocked'], giveUpAfter: 3 } });
    const { access_token } = await codeFlow(world, { scope: 'read' });
    // Neither unauthenticated nor allowed requests count.
    expect((await mcp(world, rpc(1, 'ping'))).status).toBe(401);
    expect((await mcp(world, rpc(2, 'tools/list'), access_token)).status).toBe(200);
    expect((await mcp(world, callTool(3, 'admin'), access_token)).status).toBe(403);
    expect((await mcp(world, callTool(4, 'waf-blocked'), access_token)).status).toBe(403);
    expect((await mcp(world, rpc(5, 'ping'), access_token)).status).toBe(200);
    expect((await mcp(world, callTool(6, 'admin'), access_token)).status).toBe(403);

    expect((await mcp(world, callTool(7, 'admin'), access_token)).status).toBe(410);
    expect((await mcp(world, rpc(8, 'ping'), access_token)).status).toBe(410);
    expect((await mcp(world, rpc(9, 'initialize'))).status).toBe(410);
    expect((await fetch(world.facts.mcpUrl)).status).toBe(410);
    // Discovery is not the MCP endpoint.
    expect((await fetch(world.facts.prmUrl!)).status).toBe(200);
  });

  it('does nothing when unset', async () => {
    const { challenges } = await deniedChallenges({}, 5);
    expect(challenges).toHaveLength(5);
  });
});

// The mock's config file and PATCH /knobs: every kind of mistake is one line naming the knob's
// path, all of them at once; every world the suite defines reads back without a mistake.
import { describe, expect, it } from 'vitest';
import { applyKnobPatch, baseScenarioId, KnobMistakes, parseKnobConfig, patchedKnobs, readKnobData, type KnobData } from '../../core/mock/knob-config.js';
import { UsageError } from '../../core/select.js';
import { closest } from '../../mocks/knob-schema.js';
import { DEFAULT_KNOBS, knobs } from '../../mocks/knobs.js';
import { clientScenarios } from '../../suites/client/index.js';

const options = { mode: 'client' as const, scenarios: clientScenarios };

/** The lines of a config's mistakes, without the file name each starts with. */
function mistakesOf(text: string, mode: 'client' | 'server' = 'client'): string[] {
  try {
    parseKnobConfig(text, 'mock.yaml', { ...options, mode });
  } catch (error) {
    expect(error).toBeInstanceOf(KnobMistakes);
    const lines = (error as KnobMistakes).mistakes;
    for (const line of lines) expect(line).toMatch(/^mock\.yaml: /);
    return lines.map((line) => line.replace(/^mock\.yaml: /, ''));
  }
  return [];
}

describe('a config file', () => {
  it('takes a base world and overrides in YAML, and the same in JSON', () => {
    const yaml = 'world: auth/scope-step-up\nas:\n  refreshPolicy: grace-same\n  tokenFaults:\n    - { status: 503, count: 2, grant: refresh_token }\nrs:\n  toolScopes:\n    test-tool: [mcp:admin]\n';
    const read = parseKnobConfig(yaml, 'mock.yaml', options);
    expect(read).toEqual({
      world: 'auth/scope-step-up',
      patch: { as: { refreshPolicy: 'grace-same', tokenFaults: [{ status: 503, count: 2, grant: 'refresh_token' }] }, rs: { toolScopes: { 'test-tool': ['mcp:admin'] } } },
    });
    const json = JSON.stringify({ world: 'auth/scope-step-up', as: { refreshPolicy: 'grace-same', tokenFaults: [{ status: 503, count: 2, grant: 'refresh_token' }] }, rs: { toolScopes: { 'test-tool': ['mcp:admin'] } } });
    expect(parseKnobConfig(json, 'mock.json', options)).toEqual(read);
    expect(parseKnobConfig('', 'empty.yaml', options)).toEqual({ patch: {} });
  });

  it('names the nearest value of a choice, even one too far for an edit distance', () => {
    expect(mistakesOf('as:\n  refreshPolicy: gracee\n')).toEqual([
      'as.refreshPolicy: expected one of strict, grace-same, grace-sibling, latest-wins, no-invalidation; got "gracee" (did you mean grace-same?)',
    ]);
    expect(mistakesOf('prm:\n  location: rot\n')).toEqual(['prm.location: expected one of path, root, custom, none; got "rot" (did you mean root?)']);
    expect(mistakesOf('as:\n  state: xyzzy\n')).toEqual(['as.state: expected one of echo, wrong, omit; got "xyzzy"']);
    expect(closest('zzzz', ['strict', 'grace-same'])).toBeUndefined();
  });

  it('says every kind of mistake on a line of its own, all of them at once', () => {
    const text = [
      'prmm:',
      '  location: path',
      'as:',
      '  refreshPolicyy: strict',
      '  registration: "yes"',
      '  issuerPath: tenant1',
      '  accessTokenTtlSeconds: 0',
      '  metadata: oauth',
      '  tokenAuthMethods: []',
      '  pkceMethods: 5',
      '  preRegistered: { client_secret: s, colour: blue }',
      '  tokenLatencyMs: [0, -5]',
      '  tokenFaults: [{ status: 504, count: 1 }]',
      'rs:',
      '  mcpPath: mcp',
      '  toolScopes: { test-tool: mcp:admin }',
      'prm:',
      '  unavailable: 404',
      'legacy: metadata-at-rot',
      'as2: [1]',
      'world: auth/metadata-defualt',
    ].join('\n');
    expect(mistakesOf(text)).toEqual([
      'prmm: unknown section (did you mean prm?); the sections are world, prm, as, rs, as2, legacy',
      'as.refreshPolicyy: unknown knob (did you mean as.refreshPolicy?)',
      'as.registration: expected true or false; got "yes"',
      'as.issuerPath: expected "" or a path starting with "/"; got "tenant1"',
      'as.accessTokenTtlSeconds: expected a whole number ≥ 1; got 0',
      'as.metadata: expected a list of one of oauth, oidc-inserted, oidc-appended; got "oauth"',
      'as.tokenAuthMethods: expected a non-empty list of one of none, client_secret_basic, client_secret_post; got an empty list',
      'as.pkceMethods: expected a list of non-empty text or null; got 5',
      'as.preRegistered.colour: unknown member; the members of as.preRegistered are client_id, client_secret',
      'as.preRegistered.client_id: missing',
      'as.tokenLatencyMs[1]: expected a whole number from 0 to 600000; got -5',
      'as.tokenFaults[0].status: expected one of 429, 500, 502, 503; got 504',
      'rs.mcpPath: expected a path starting with "/"; got "mcp"',
      'rs.toolScopes.test-tool: expected a list of non-empty text; got "mcp:admin"',
      'prm.unavailable: expected a whole number from 500 to 599; got 404',
      'legacy: expected one of metadata-at-root, default-endpoints; got "metadata-at-rot" (did you mean metadata-at-root?)',
      'as2: expected a mapping of as2 knobs; got a list',
      'world: unknown scenario "auth/metadata-defualt" (did you mean auth/metadata-default?)',
    ]);
  });

  it('reports a syntax error with its line, and a file that is not a mapping', () => {
    const [syntax, ...rest] = mistakesOf('as:\n  refreshPolicy: [strict\nrs: {}\n');
    expect(rest).toEqual([]);
    expect(syntax).toMatch(/^line \d+, column \d+: /);
    expect(mistakesOf('as:\n  a: 1\nas:\n  b: 2\n')[0]).toMatch(/^line 3, column 1: .*[Dd]uplicate|unique/);
    expect(mistakesOf('- prm\n- as\n')).toEqual(['expected a mapping of world, prm, as, rs, as2, legacy; got a list']);
    expect(mistakesOf('world: 5\n')).toEqual(['world: expected the id of a client scenario, such as auth/metadata-default; got 5']);
  });

  it('in server mode takes as knobs alone', () => {
    expect(mistakesOf('world: auth/metadata-default\nrs:\n  mcpPath: /mcp\nas:\n  refreshPolicy: strict\n', 'server')).toEqual([
      'world: the mock of --resource is an authorization server alone; only as knobs apply to it',
      'rs: the mock of --resource is an authorization server alone; only as knobs apply to it',
    ]);
    expect(parseKnobConfig('as:\n  refreshPolicy: grace-same\n', 'mock.yaml', { ...options, mode: 'server' }).patch).toEqual({ as: { refreshPolicy: 'grace-same' } });
  });

  it('accepts every world the suite defines: the schema covers every knob in use', () => {
    for (const scenario of clientScenarios) {
      const mistakes: string[] = [];
      const data = readKnobData(JSON.parse(JSON.stringify(scenario.world)), mistakes, { ...options, worldAllowed: false });
      expect(mistakes, scenario.id).toEqual([]);
      expect(applyKnobPatch(DEFAULT_KNOBS, data.patch), scenario.id).toEqual(scenario.world);
    }
  });
});

describe('knobs over a base world', () => {
  const base = knobs({ rs: { toolScopes: { 'test-tool': ['mcp:write'] }, challengeScope: 'mcp:read' }, as2: {} });

  it('merges one level deep; null removes an optional knob, the second AS or the legacy layout', () => {
    const mistakes: string[] = [];
    const data: KnobData = readKnobData({ rs: { challengeScope: null }, as: { pkceMethods: null }, as2: null, legacy: null }, mistakes, { ...options, worldAllowed: false });
    expect(mistakes).toEqual([]);
    const next = patchedKnobs(base, data, mistakes);
    expect(mistakes).toEqual([]);
    expect(next.rs).toEqual({ mcpPath: '/mcp', publicMethods: [], toolScopes: { 'test-tool': ['mcp:write'] } });
    // pkceMethods takes null as a value (the member left out of the metadata), not as a removal.
    expect(next.as.pkceMethods).toBeNull();
    expect('as2' in next).toBe(false);
    expect('legacy' in next).toBe(false);
  });

  it('refuses knobs that contradict each other once merged', () => {
    const mistakes: string[] = [];
    patchedKnobs(DEFAULT_KNOBS, readKnobData({ prm: { authorizationServer: 'second', migrateAfterAuthorizedRequests: 1 } }, mistakes, { ...options, worldAllowed: false }), mistakes);
    expect(mistakes).toEqual([
      'prm.authorizationServer: "second" needs a second authorization server (an as2 section)',
      'prm.migrateAfterAuthorizedRequests: a migration needs a second authorization server to move to (an as2 section)',
    ]);
  });

  it('does not change the base world while the mock runs', () => {
    const mistakes: string[] = [];
    readKnobData({ world: 'auth/metadata-default' }, mistakes, { ...options, worldAllowed: false });
    expect(mistakes).toEqual(['world: the base world is chosen when the mock starts (--world or the config file), not changed while it runs']);
  });

  it('takes the base scenario from --world or the config, and refuses two different ones', () => {
    expect(baseScenarioId(undefined, undefined, 'auth/metadata-default')).toBe('auth/metadata-default');
    expect(baseScenarioId('auth/scope-step-up', { patch: {} }, 'auth/metadata-default')).toBe('auth/scope-step-up');
    expect(baseScenarioId(undefined, { world: 'auth/scope-step-up', patch: {} }, 'auth/metadata-default')).toBe('auth/scope-step-up');
    expect(() => baseScenarioId('auth/metadata-var1', { world: 'auth/scope-step-up', patch: {} }, 'x')).toThrow(UsageError);
  });
});

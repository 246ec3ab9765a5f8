// The library as a consumer imports it: by package name, through package.json "exports" (Node
// resolves a package's own name from inside it), each entry point with its types, all in the tarball.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupServer } from 'msw/node';
import { describe, expect, it } from 'vitest';
import * as root from 'mcp-auth-conformance';
import * as msw from 'mcp-auth-conformance/msw';
import * as nock from 'mcp-auth-conformance/nock';
import * as vitest from 'mcp-auth-conformance/vitest';
import { ROOT } from '../support/compiled.js';

const ENTRY_POINTS: Record<string, string> = {
  'mcp-auth-conformance': 'dist/library/world.js',
  'mcp-auth-conformance/msw': 'dist/library/msw.js',
  'mcp-auth-conformance/nock': 'dist/library/nock.js',
  'mcp-auth-conformance/vitest': 'dist/library/vitest.js',
};

describe('entry points', () => {
  it('resolve by package name to the compiled library, each with declarations beside it', () => {
    for (const [specifier, file] of Object.entries(ENTRY_POINTS)) {
      expect(fileURLToPath(import.meta.resolve(specifier))).toBe(path.join(ROOT, file));
      expect(existsSync(path.join(ROOT, file.replace(/\.js$/, '.d.ts'))), `${file} has no declarations`).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target === 'string') continue;
      expect(target.types, subpath).toBe(target.default.replace(/\.js$/, '.d.ts'));
    }
  });

  it('export what the README shows', () => {
    expect(typeof root.createConformanceWorld).toBe('function');
    expect(root.DEFAULT_SCENARIO).toBe('auth/metadata-default');
    expect([typeof msw.createWorld, typeof msw.worldHandler, typeof msw.releaseResponseClones]).toEqual(['function', 'function', 'function']);
    expect([typeof nock.createWorld, typeof nock.interceptWorld]).toEqual(['function', 'function']);
    expect(typeof vitest.test.extend).toBe('function');
    expect(typeof vitest.test.override).toBe('function');
  });

  it('mcp-auth-conformance/msw answers a world through setupServer', async () => {
    const world = await msw.createWorld({ scenario: 'auth/metadata-var1' });
    const server = setupServer(...world.handlers);
    msw.releaseResponseClones(server);
    server.listen({ onUnhandledRequest: 'error' });
    try {
      const challenge = await fetch(world.mcpUrl, { method: 'POST', body: '{}' });
      expect(challenge.status).toBe(401);
      // var1: no RFC 8414 document, and the 404 body can be cancelled, as the SDK does.
      const missing = await fetch(`${world.facts.asOrigin}/.well-known/oauth-authorization-server`);
      expect(missing.status).toBe(404);
      await missing.body?.cancel();
    } finally {
      server.close();
    }
    expect(world.trace().exchanges.map((e) => e.role)).toEqual(['mcp', 'as-metadata']);
  });

  it('mcp-auth-conformance/nock answers a world through nock until restored', async () => {
    const world = await nock.createWorld();
    const interception = world.intercept();
    try {
      expect((await fetch(world.facts.prmUrl!)).status).toBe(200);
      interception.done();
    } finally {
      interception.restore();
    }
    await expect(fetch(world.facts.prmUrl!)).rejects.toThrow();
  });

  it('the tarball ships the library and its declarations, and no test file', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [summary] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>;
    const files = summary.files.map((file) => file.path);
    for (const file of Object.values(ENTRY_POINTS)) {
      expect(files).toContain(file);
      expect(files).toContain(file.replace(/\.js$/, '.d.ts'));
    }
    expect(files.filter((file) => /\.test\.(js|d\.ts)$/.test(file))).toEqual([]);
  }, 60_000);
});

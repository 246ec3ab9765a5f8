// The package as users get it: `npm pack` the project, install the tarball into an empty project
// (dependencies come from the registry or npm's cache), and run the installed bin through npx. This
// catches what no in-tree test can: a `files` list that leaves out something the CLI loads at run
// time, ships the kit's own tests, or a bin that only works from the source checkout.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../core/targets/client/process.js';
import { clientScenarios } from '../../suites/client/index.js';
import { serverScenarios } from '../../suites/server/index.js';
import { authorizationServerScenarios } from '../../suites/authorization-server/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NAME = 'mcp-auth-conformance';
// The directories `files` ships from dist/, each compiled from the source directory of the same name.
const SHIPPED_SOURCES = ['bin', 'core', 'mocks', 'library', 'suites', 'reporters', 'examples'];
// Installing resolves ~160 packages; on a cold cache over a slow link that takes minutes.
const INSTALL_TIMEOUT_MS = 240_000;
const COMMAND_TIMEOUT_MS = 60_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<number>();
const tempDirs: string[] = [];

/**
 * The environment for npm and the CLI. Under `npm test`, npm exports its lifecycle variables
 * (npm_config_local_prefix pointing at this project, npm_package_*, npm_config_yes...), which must not
 * steer the nested npm; the cache, user config and registry are kept so offline installs still work.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_') || keep.has(name.toLowerCase())) env[name] = value;
  }
  // Plain output, and no update check reaching out to the registry in the middle of a test.
  return { ...env, NO_COLOR: '1', npm_config_update_notifier: 'false' };
}

/** Runs a command in its own process group, so a timeout ends npx and everything it started. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[pack test] killed after ${timeoutMs} ms`;
      if (pid !== undefined) killGroup(pid);
    }, timeoutMs);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve({ code, stdout, stderr });
    };
    child.on('error', (error) => {
      stderr += String(error);
      finish(null);
    });
    child.on('close', finish);
  });
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

const describeRun = (what: string, result: Run): string => `${what} exited ${result.code}\nstdout:\n${result.stdout.slice(-3000)}\nstderr:\n${result.stderr.slice(-3000)}`;

/** Source files whose compiled counterpart in dist/ is missing or older. */
function staleSources(): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      // Test files (the vitest example's) are left out of the build, so they have no counterpart.
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) {
        const compiled = path.join(ROOT, 'dist', relative.replace(/\.ts$/, '.js'));
        if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(path.join(ROOT, relative)).mtimeMs) stale.push(relative);
      }
    }
  };
  for (const dir of SHIPPED_SOURCES) walk(dir);
  return stale;
}

/** `npm pack` ships dist/ as it is (there is no prepack script), so it must be built from the current sources. */
function ensureBuilt(): void {
  if (staleSources().length === 0) return;
  // tsc emits even when a type error elsewhere stops it from succeeding; what matters is checked next.
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  const stale = staleSources();
  if (stale.length > 0) throw new Error(`dist/ is out of date after building: ${stale.slice(0, 5).join(', ')}`);
}

/** Relative module specifiers of an ES module (static imports, re-exports and literal dynamic imports). */
function relativeImports(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g)) found.push(match[2]);
  return found;
}

let packDir = '';
let installDir = '';
let packedFiles: string[] = [];
let installed = '';

beforeAll(async () => {
  ensureBuilt();
  packDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-auth-conformance-pack-'));
  tempDirs.push(packDir);
  installDir = await mkdtemp(path.join(os.tmpdir(), 'mcp-auth-conformance-install-'));
  tempDirs.push(installDir);

  const pack = await run('npm', ['pack', '--json', '--pack-destination', packDir], ROOT, COMMAND_TIMEOUT_MS);
  if (pack.code !== 0) throw new Error(describeRun('npm pack', pack));
  // npm may print notices before the JSON; the document is the array at the end.
  const [summary] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = summary.files.map((file) => file.path);
  const tarball = path.join(packDir, summary.filename);

  // A project of its own, so npm installs here and not into whatever project encloses the temp dir.
  await writeFile(path.join(installDir, 'package.json'), JSON.stringify({ name: 'pack-test-consumer', version: '1.0.0', private: true }));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], installDir, INSTALL_TIMEOUT_MS);
  if (install.code !== 0) throw new Error(describeRun('npm install <tarball>', install));
  installed = path.join(installDir, 'node_modules', NAME);
}, INSTALL_TIMEOUT_MS + 2 * COMMAND_TIMEOUT_MS);

afterAll(async () => {
  for (const pgid of running) killGroup(pgid);
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

// `--no`: run the bin the tarball installed and never fetch a package of that name from the registry.
// `--`: everything after the package name belongs to the CLI, not to npm (npm would take --client itself).
const npx = (args: string[], timeoutMs = COMMAND_TIMEOUT_MS) => run('npx', ['--no', '--', NAME, ...args], installDir, timeoutMs);

describe('the packed tarball', () => {
  it('ships the CLI, its runtime modules, the report schema and the requirement catalogue, and nothing of test/', () => {
    const shipped = ['package.json', 'README.md', 'dist/bin/mcp-auth-conformance.js', 'dist/examples/clients/reference-client.js', 'reporters/report.schema.json', 'suites/requirements.md'];
    for (const needed of shipped) {
      expect(packedFiles, `${needed} is missing from the tarball`).toContain(needed);
    }
    // The kit's own tests, mutants and targets are compiled into dist/test/ too; users get none of it.
    expect(packedFiles.filter((file) => /^(dist\/)?test\//.test(file) || /\.test\.js$/.test(file))).toEqual([]);
  });

  it('holds every module its own modules import', async () => {
    const shipped = new Set(packedFiles);
    const dangling: string[] = [];
    for (const file of packedFiles.filter((f) => f.endsWith('.js'))) {
      const source = await readFile(path.join(installed, file), 'utf8');
      for (const specifier of relativeImports(source)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        if (!shipped.has(target)) dangling.push(`${file} imports ${specifier}`);
      }
    }
    expect(dangling, 'modules the package imports but `files` does not ship').toEqual([]);
  });

  it('lets a consumer import the library entry points by name (nock and vitest are optional peers it brings itself)', async () => {
    const script = [
      "const root = await import('mcp-auth-conformance');",
      "const { createWorld } = await import('mcp-auth-conformance/msw');",
      'const world = await createWorld();',
      "console.log(typeof root.createConformanceWorld, world.scenario.id, world.handlers.length);",
    ].join('\n');
    const result = await run(process.execPath, ['--input-type=module', '-e', script], installDir, COMMAND_TIMEOUT_MS);
    expect(result.code, describeRun('node -e <import the library>', result)).toBe(0);
    expect(result.stdout.trim()).toBe('function auth/metadata-default 1');
  }, COMMAND_TIMEOUT_MS + 10_000);

  it('answers --help with exit code 0', async () => {
    const help = await npx(['--help']);
    expect(help.code, describeRun('--help', help)).toBe(0);
    expect(help.stdout).toContain('Usage: mcp-auth-conformance');
  }, COMMAND_TIMEOUT_MS + 10_000);

  it('lists every scenario as JSON', async () => {
    const list = await npx(['list', '--json']);
    expect(list.code, describeRun('list --json', list)).toBe(0);
    const document = JSON.parse(list.stdout) as { scenarios: Array<{ id: string }> };
    expect(document.scenarios.map((scenario) => scenario.id)).toEqual([...clientScenarios, ...serverScenarios, ...authorizationServerScenarios].map((scenario) => scenario.id));
  }, COMMAND_TIMEOUT_MS + 10_000);

  it('shows a requirement from the catalogue it ships', async () => {
    const list = await npx(['list', '--requirement', 'C-PKCE-03']);
    expect(list.code, describeRun('list --requirement C-PKCE-03', list)).toBe(0);
    expect(list.stdout).toMatch(/^C-PKCE-03  MUST\n  Use `S256` when technically capable\n[\s\S]*pkce-s256/);
  }, COMMAND_TIMEOUT_MS + 10_000);

  it('runs the installed reference server through server/token-validation and exits 0', async () => {
    const server = `node ${shellQuote(path.join(installed, 'dist/examples/servers/reference-server.js'))}`;
    const result = await npx(['server', '--command', server, '--scenario', 'server/token-validation'], 2 * COMMAND_TIMEOUT_MS);
    expect(result.code, describeRun('server --command <reference server>', result)).toBe(0);
    expect(result.stdout).toMatch(/PASS server\/token-validation/);
  }, 2 * COMMAND_TIMEOUT_MS + 10_000);

  it('runs the installed reference client through auth/metadata-default and exits 0', async () => {
    // The kit runs the command through sh, so the installed path is quoted as a shell word.
    const client = `node ${shellQuote(path.join(installed, 'dist/examples/clients/reference-client.js'))}`;
    const result = await npx(['--client', client, '--scenario', 'auth/metadata-default'], 2 * COMMAND_TIMEOUT_MS);
    expect(result.code, describeRun('--client <reference client>', result)).toBe(0);
    expect(result.stdout).toMatch(/PASS auth\/metadata-default/);
  }, 2 * COMMAND_TIMEOUT_MS + 10_000);
});

// Tests that spawn a client run its compiled JavaScript; a stale dist/ would test old code. Each
// build names its output and every source it is made from, so a test run alone (vitest -t, one
// file) compiles first when any of them is newer.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Build {
  /** Relative to the project root, under dist/. */
  compiled: string;
  sources: string[];
}

/** The files of a source directory, relative to the project root. */
function filesIn(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).map((file) => `${dir}/${file}`);
}

const REFERENCE_SOURCES = ['examples/clients/reference-client.ts', ...filesIn('examples/clients/reference')];

export const REFERENCE_CLIENT: Build = { compiled: 'dist/examples/clients/reference-client.js', sources: REFERENCE_SOURCES };
export const MUTANT_CLIENT: Build = { compiled: 'dist/test/mutants/client.js', sources: ['test/mutants/client.ts', 'test/mutants/client-defects.ts'] };
export const REFERENCE_MUTANT: Build = {
  compiled: 'dist/test/mutants/reference-mutant.js',
  sources: [...REFERENCE_SOURCES, 'test/mutants/reference-mutant.ts', 'test/mutants/reference-defects.ts'],
};

/** Runs tsc when an output is missing or older than one of its sources, then checks every output exists. */
export function ensureCompiled(...builds: Build[]): void {
  const stale = builds.some(({ compiled, sources }) => {
    const output = path.join(ROOT, compiled);
    if (!existsSync(output)) return true;
    const built = statSync(output).mtimeMs;
    return sources.some((source) => statSync(path.join(ROOT, source)).mtimeMs > built);
  });
  if (!stale) return;
  // tsc emits despite type errors elsewhere in the project, so the outputs themselves are checked.
  spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  for (const { compiled } of builds) {
    if (!existsSync(path.join(ROOT, compiled))) throw new Error(`${compiled} was not built`);
  }
}

/** The vitest example's client under the client contract (examples/vitest/cli.ts), judged in-process and as a process. */
export const VITEST_EXAMPLE_CLIENT: Build = { compiled: 'dist/examples/vitest/cli.js', sources: ['examples/vitest/cli.ts', 'examples/vitest/client.ts'] };

/** The strict client (test/targets/strict-client.ts): its own HTTP layer in test/targets/strict/, the harness's user agent. */
export const STRICT_CLIENT: Build = {
  compiled: 'dist/test/targets/strict-client.js',
  sources: ['test/targets/strict-client.ts', 'test/targets/headless-user.ts', ...filesIn('test/targets/strict')],
};

/** A plain client on a public package (test/targets/), with the harness code it shares with the others. */
export function plainTarget(name: string): Build {
  return { compiled: `dist/test/targets/${name}.js`, sources: [`test/targets/${name}.ts`, 'test/targets/headless-user.ts'] };
}

const REFERENCE_SERVER_SOURCES = ['examples/servers/reference-server.ts', ...filesIn('examples/servers/reference')];

/** The reference resource server (examples/servers/), the server suite's correct target. */
export const REFERENCE_SERVER: Build = { compiled: 'dist/examples/servers/reference-server.js', sources: REFERENCE_SERVER_SOURCES };
/** The reference server with single defects (REFERENCE_SERVER_DEFECTS=a,b). */
export const SERVER_MUTANT: Build = {
  compiled: 'dist/test/mutants/reference-server-mutant.js',
  sources: [...REFERENCE_SERVER_SOURCES, 'test/mutants/reference-server-mutant.ts', 'test/mutants/server-defects.ts'],
};

/** The authorization-server suite's target: a small authorization server, correct unless AS_DEFECTS names defects. */
export const AUTHORIZATION_SERVER_MUTANT: Build = {
  compiled: 'dist/test/mutants/authorization-server-mutant.js',
  sources: ['test/mutants/authorization-server-mutant.ts', 'test/mutants/authorization-server-defects.ts'],
};

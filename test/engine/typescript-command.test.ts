// How a client command whose first word is TypeScript source becomes one that runs it through tsx.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnableClientCommand, scriptKind, typescriptCommand, type ScriptKind, type TypeScriptRunner } from '../../core/targets/client/typescript.js';

const NODE = '/opt/node 20/bin/node';
const CLI = '/kit/node_modules/tsx/dist/cli.mjs';
const PREFIX = `'${NODE}' ${CLI} `;

/** A runner for which every path is TypeScript source, except those given otherwise. */
function runner(kinds: Record<string, ScriptKind> = {}): TypeScriptRunner & { asked: string[] } {
  const asked: string[] = [];
  return {
    node: NODE,
    tsxCli: CLI,
    kind: (file) => {
      asked.push(file);
      return kinds[file] ?? 'source';
    },
    asked,
  };
}

describe('typescriptCommand', () => {
  it.each([
    ['./my-client.ts', `${PREFIX}./my-client.ts`],
    ['./my-client.mts --verbose', `${PREFIX}./my-client.mts --verbose`],
    ['client.cts', `${PREFIX}client.cts`],
    ['/abs/path/client.ts a b', `${PREFIX}/abs/path/client.ts a b`],
    ['  ./c.ts', `  ${PREFIX}./c.ts`],
    ['./c.ts>log 2>&1', `${PREFIX}./c.ts>log 2>&1`],
    ['./c.ts; echo done', `${PREFIX}./c.ts; echo done`],
    ['DEBUG=1 MODE="a b" ./c.ts --x', `DEBUG=1 MODE="a b" ${PREFIX}./c.ts --x`],
  ])('puts node and tsx in front of %j', (command, expected) => {
    expect(typescriptCommand(command, runner())).toBe(expected);
  });

  it('keeps the user\'s quoting of a path with spaces, and asks about the path as the shell reads it', () => {
    const cases: Array<[string, string]> = [
      ["'./my dir/client.ts' --flag", './my dir/client.ts'],
      ['"./my dir/client.ts" --flag', './my dir/client.ts'],
      ['./my\\ dir/client.ts --flag', './my dir/client.ts'],
      [String.raw`./my" "dir/it\'s.ts`, "./my dir/it's.ts"],
      ['"./a \\"quoted\\" name.mts"', './a "quoted" name.mts'],
    ];
    for (const [command, file] of cases) {
      const r = runner();
      expect(typescriptCommand(command, r)).toBe(`${PREFIX}${command}`);
      expect(r.asked).toEqual([file]);
    }
  });

  it.each([
    'node ./my-client.js',
    './my-client',
    './my-client.js',
    'npx tsx ./my-client.ts',
    'tsx ./my-client.ts',
    './client.tsx',
    './client.d.ts.bak',
    'python3 client.py ./x.ts',
    '"$HOME/client.ts"',
    '$CLIENT.ts',
    '~/client.ts',
    './*.ts',
    '`which client`.ts',
    '(./c.ts)',
    '{ ./c.ts; }',
    '',
    '   ',
    "'unterminated.ts",
    'FOO=bar',
  ])('leaves %j alone', (command) => {
    expect(typescriptCommand(command, runner())).toBe(command);
  });

  it('leaves a missing file to the shell, and an executable script with #! to its own interpreter', () => {
    expect(typescriptCommand('./gone.ts', runner({ './gone.ts': 'missing' }))).toBe('./gone.ts');
    expect(typescriptCommand('./bun-client.ts', runner({ './bun-client.ts': 'runnable' }))).toBe('./bun-client.ts');
  });

  it('quotes the interpreter paths only where the shell needs it', () => {
    expect(typescriptCommand('./c.ts', { node: '/usr/bin/node', tsxCli: "/it's here/cli.mjs", kind: () => 'source' })).toBe(`/usr/bin/node '/it'\\''s here/cli.mjs' ./c.ts`);
  });
});

describe('on the file system', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'mac-ts-command-'));
    await mkdir(path.join(dir, 'my dir'));
    await writeFile(path.join(dir, 'my dir', 'client.ts'), 'const where: string = process.argv.at(-1)!;\nconsole.log(`ran with ${where}`);\n');
    await writeFile(path.join(dir, 'runnable.ts'), '#!/bin/sh\necho "ran by sh with $1"\n');
    await chmod(path.join(dir, 'runnable.ts'), 0o755);
    await writeFile(path.join(dir, 'shebang-only.ts'), '#!/bin/sh\n');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('scriptKind tells source from a script made runnable and from nothing', () => {
    expect(scriptKind(path.join(dir, 'my dir', 'client.ts'))).toBe('source');
    expect(scriptKind(path.join(dir, 'runnable.ts'))).toBe('runnable');
    // Not executable: its #! line would not be honoured by the shell either.
    expect(scriptKind(path.join(dir, 'shebang-only.ts'))).toBe('source');
    expect(scriptKind(path.join(dir, 'absent.ts'))).toBe('missing');
    expect(scriptKind(path.join(dir, 'my dir'))).toBe('missing');
  });

  it('the rewritten line runs the TypeScript through the kit\'s tsx, under sh -c as the kit runs clients, with the URL last', () => {
    const line = `${runnableClientCommand("'./my dir/client.ts'", dir)} 'http://127.0.0.1:1/mcp'`;
    expect(line).toContain(process.execPath);
    const result = spawnSync('/bin/sh', ['-c', line], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: '/nonexistent' } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ran with http://127.0.0.1:1/mcp\n');
    expect(runnableClientCommand('./runnable.ts', dir)).toBe('./runnable.ts');
    expect(runnableClientCommand('./absent.ts', dir)).toBe('./absent.ts');
  });
});

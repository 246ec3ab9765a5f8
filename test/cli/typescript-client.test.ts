// `--client ./client.ts`: TypeScript source runs through the kit's tsx, with no build step.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Report } from '../../core/report.js';
import { assertBuilt, cli, root } from './run-cli.js';

const fixture = path.join(root, 'test/cli/fixtures/typescript-client.ts');

let cwd: string;
beforeAll(assertBuilt);
beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-ts-client-test-'));
});
afterEach(async () => rm(cwd, { recursive: true, force: true }));

it('plain node refuses the fixture, so a pass below is tsx\'s doing', () => {
  const result = spawnSync(process.execPath, [fixture, 'http://127.0.0.1:1/mcp'], { encoding: 'utf8' });
  expect(result.status).not.toBe(0);
});

it('a TypeScript client given by its path passes a scenario; the report keeps the command as given, the process shows what ran', async () => {
  // Relative to the working directory, as a user writes it, and with no tsx on PATH.
  const relative = path.relative(cwd, fixture);
  const result = await cli(['--client', `${relative} --ignored-flag`, '--scenario', 'auth/metadata-default', '--reporter', 'console,json'], cwd, { PATH: '/usr/bin:/bin' });
  expect(result.code, result.stdout + result.stderr).toBe(0);
  const report = JSON.parse(readFileSync(path.join(cwd, 'results/report.json'), 'utf8')) as Report;
  expect(report.target.command).toBe(`${relative} --ignored-flag`);
  const ran = report.scenarios[0].processes[0].command;
  expect(ran.startsWith(`${process.execPath} `)).toBe(true);
  expect(ran).toMatch(/tsx[/\\]dist[/\\]cli\.mjs /);
  expect(ran).toMatch(/ --ignored-flag 'http:\/\/127\.0\.0\.1:\d+\/mcp'$/);
});

// --shard on the run commands and merge-reports, through the compiled bin: the split CI runs and
// the job that joins their reports.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../core/report.js';
import { assertBuilt, cli, referenceClient, usageErrorLine } from './run-cli.js';

let cwd: string;
beforeAll(assertBuilt);
beforeEach(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-shard-test-'));
});
afterEach(async () => rm(cwd, { recursive: true, force: true }));

const readReport = (file: string): Report => JSON.parse(readFileSync(path.join(cwd, file), 'utf8')) as Report;

describe('--shard', () => {
  it.each(['0/3', '4/3', 'abc', '1/0'])('%j is a usage error, on every run command', async (value) => {
    const commands = [['client', '--command', 'true'], ['server', '--command', 'true'], ['authorization-server', '--command', 'true'], ['--client', 'true']];
    const results = await Promise.all(commands.map((args) => cli([...args, '--shard', value], cwd)));
    for (const result of results) expect(usageErrorLine(result)).toContain(`--shard takes index/total with 1 ≤ index ≤ total, such as 1/3, not "${value}"`);
  });

  it('a shard that gets no scenario runs nothing, says so, writes an empty report that names the shard, and exits 0', async () => {
    const result = await cli(['server', '--command', 'exit 9', '--scenario', 'server/token-validation', '--shard', '2/2', '--reporter', 'console,json'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('mcp-auth-conformance: shard 2/2 has no scenario (1 selected for 2 shards); nothing to run');
    expect(result.stdout).toContain('shard 2/2');
    expect(result.stdout).toContain('No scenario falls to shard 2/2; nothing ran.');
    const report = readReport('results/report.json');
    expect(report).toMatchObject({ role: 'server', target: { command: 'exit 9' }, shard: { index: 2, total: 2 }, scenarios: [], summary: { exitCode: 0 } });
  });

  it('two shards of the client suite against the reference client, merged, are the whole run', async () => {
    const scenarios = ['auth/metadata-default', 'auth/pkce-not-advertised', 'auth/metadata-issuer-mismatch'].flatMap((id) => ['--scenario', id]);
    const shard = (index: number) => cli(['client', '--command', referenceClient, ...scenarios, '--shard', `${index}/2`, '--reporter', 'console,json', '--output-dir', `artifacts/shard-${index}`], cwd);
    const [first, second] = await Promise.all([shard(1), shard(2)]);
    for (const [index, result] of [first, second].entries()) {
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`shard ${index + 1}/2`);
    }
    expect(readReport('artifacts/shard-1/report.json').scenarios.map((s) => s.id)).toEqual(['auth/metadata-default', 'auth/pkce-not-advertised']);
    expect(readReport('artifacts/shard-2/report.json').scenarios.map((s) => s.id)).toEqual(['auth/metadata-issuer-mismatch']);

    // As downloaded artifacts land: one directory holding a directory per shard.
    const merged = await cli(['merge-reports', 'artifacts', '--reporter', 'console,json,junit', '--output-dir', 'merged'], cwd);
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    expect(merged.stderr).toContain('merged 2 reports: artifacts/shard-1/report.json, artifacts/shard-2/report.json');
    expect(merged.stdout).toMatch(/3 scenarios: 3 passed, 0 failed/);
    expect(merged.stdout).not.toContain('shard');
    const report = readReport('merged/report.json');
    expect(report.shard).toBeUndefined();
    expect(report.scenarios.map((s) => s.id)).toEqual(['auth/metadata-default', 'auth/pkce-not-advertised', 'auth/metadata-issuer-mismatch']);
    expect(report.summary.scenarios).toEqual({ total: 3, passed: 3, failed: 0, skipped: 0 });
    expect(readFileSync(path.join(cwd, 'merged/junit.xml'), 'utf8').match(/<testsuite /g)).toHaveLength(3);

    // The files named one by one, in any order, give the same; a shard left out is named.
    const again = await cli(['merge-reports', 'artifacts/shard-2/report.json', 'artifacts/shard-1', '--reporter', 'json', '--output-dir', 'again'], cwd);
    expect(again.code).toBe(0);
    expect(readReport('again/report.json').scenarios).toEqual(report.scenarios);
    expect(usageErrorLine(await cli(['merge-reports', 'artifacts/shard-1'], cwd))).toBe('mcp-auth-conformance: missing shard 2/2; given 1/2 (artifacts/shard-1/report.json)');
  });

  it('the merged exit code is the whole run\'s: a failing shard fails the merge', async () => {
    // Does nothing in the first scenario, and its job in the others.
    await writeFile(path.join(cwd, 'client.sh'), `[ "$MCP_CONFORMANCE_SCENARIO" = auth/metadata-default ] && exit 0\nexec ${referenceClient} "$@"\n`);
    const shard = (index: number) =>
      cli(['client', '--command', 'sh client.sh', '--scenario', 'auth/metadata-default', '--scenario', 'auth/pkce-not-advertised', '--shard', `${index}/2`, '--reporter', 'json', '--output-dir', `s${index}`], cwd);
    const results = await Promise.all([shard(1), shard(2)]);
    expect(results.map((r) => r.code)).toEqual([1, 0]);
    const merged = await cli(['merge-reports', 's1', 's2'], cwd);
    expect(merged.code).toBe(1);
    expect(merged.stdout).toMatch(/FAIL auth\/metadata-default/);
  });
});

describe('merge-reports refuses malformed input: one line naming the file, exit code 2', () => {
  beforeEach(async () => {
    await mkdir(path.join(cwd, 'empty'));
    await writeFile(path.join(cwd, 'broken.json'), '{"schema": "mcp-auth-conformance/report", ');
    await writeFile(path.join(cwd, 'other.json'), '{"name": "something else"}');
  });

  it.each([
    [['broken.json'], /^mcp-auth-conformance: broken\.json: not JSON \(/],
    [['other.json'], /^mcp-auth-conformance: other\.json: not an mcp-auth-conformance report/],
    [['absent.json'], /^mcp-auth-conformance: absent\.json: no such file or directory$/],
    [['empty'], /^mcp-auth-conformance: empty: no report\.json in this directory or below it/],
  ])('%j', async (inputs, message) => {
    const result = await cli(['merge-reports', ...inputs, '--reporter', 'console,json'], cwd);
    expect(usageErrorLine(result)).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('no input at all is a usage error too', async () => {
    expect(usageErrorLine(await cli(['merge-reports'], cwd))).toMatch(/missing required argument 'reports'/);
  });
});

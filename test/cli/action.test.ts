// The GitHub Action (action.yml and action/run.sh): its inputs are all wired to the script, and the
// script, run as the action runs it but against the local build, runs the suite, writes the reports,
// records its outputs and passes the exit code on.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertBuilt, bin, referenceClient, root, run, type Result } from './run-cli.js';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const actionText = readFileSync(path.join(root, 'action.yml'), 'utf8');
const action = parse(actionText) as Action;
const script = readFileSync(path.join(root, 'action/run.sh'), 'utf8');
const runStep = action.runs.steps.find((step) => step.id === 'run')!;
const envName = (input: string) => `INPUT_${input.toUpperCase().replaceAll('-', '_')}`;

describe('action.yml', () => {
  it('is a composite action with the documented inputs and defaults', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['client', 'server-url', 'server-command', 'issuer', 'authorization-server-command', 'suite', 'spec-version', 'shard', 'expected-failures', 'args', 'reporters', 'output-dir', 'version']),
    );
    expect(action.inputs.reporters.default).toBe('console,json,junit,markdown,html');
    expect(action.inputs['output-dir'].default).toBe('mcp-auth-conformance-results');
    expect(action.inputs.version.default).toBe('latest');
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toBeTruthy();
      expect(input.required ?? false, name).toBe(false);
    }
  });

  it('refers only to inputs and step outputs that exist, and hands every input to the script under the name it reads', () => {
    const referenced = [...actionText.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(Object.keys(action.inputs), `inputs.${name}`).toContain(name);
    const stepIds = new Set(action.runs.steps.map((step) => step.id).filter(Boolean));
    for (const [, id] of actionText.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\.outputs\./g)) expect(stepIds.has(id), `steps.${id}`).toBe(true);

    for (const name of Object.keys(action.inputs)) expect(runStep.env?.[envName(name)], name).toBe(`\${{ inputs.${name} }}`);
    const read = new Set([...script.matchAll(/\b(INPUT_[A-Z_]+)/g)].map((m) => m[1]));
    expect([...read].sort()).toEqual(Object.keys(action.inputs).map(envName).sort());
    // Inputs reach the script as variables, never pasted into the script text, where a quote would break out.
    expect(runStep.run).not.toMatch(/\$\{\{/);
  });

  it('runs the script, uploads the output directory whatever happened under a per-shard name, then fails with the kept exit code', () => {
    const [first, upload, last] = action.runs.steps;
    expect(first).toBe(runStep);
    expect(runStep.shell).toBe('bash');
    expect(runStep.run).toBe('bash "$GITHUB_ACTION_PATH/action/run.sh" || true');
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect(upload.if).toMatch(/^always\(\)/);
    expect(upload.with).toMatchObject({ name: '${{ steps.run.outputs.artifact-name }}', path: '${{ inputs.output-dir }}' });
    expect(last.if).toBe('always()');
    expect(last.env?.EXIT_CODE).toBe('${{ steps.run.outputs.exit-code }}');
    expect(action.outputs['exit-code'].value).toBe('${{ steps.run.outputs.exit-code }}');
  });

  it('the last step exits with the code it is given, and fails when there is none', async () => {
    const last = action.runs.steps.at(-1)!;
    const exitWith = async (code: string) => (await run('/bin/bash', ['-c', last.run!], { cwd: root, env: { EXIT_CODE: code, ARTIFACT: 'a' } })).code;
    expect(await exitWith('0')).toBe(0);
    expect(await exitWith('3')).toBe(3);
    expect(await exitWith('')).toBe(1);
  });
});

describe('action/run.sh', () => {
  let cwd: string;
  beforeAll(assertBuilt);
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'mac-action-test-'));
  });
  afterEach(async () => rm(cwd, { recursive: true, force: true }));

  /** The script as the action's first step runs it, with the local build in place of npx. */
  function runScript(inputs: Record<string, string>, viaStep = false): Promise<Result> {
    const env: NodeJS.ProcessEnv = { MCP_AUTH_CONFORMANCE_CLI: `'${process.execPath}' '${bin}'`, GITHUB_OUTPUT: path.join(cwd, 'github-output'), GITHUB_ACTION_PATH: root };
    for (const name of Object.keys(action.inputs)) env[envName(name)] = inputs[name] ?? action.inputs[name].default ?? '';
    return viaStep ? run('/bin/bash', ['-c', runStep.run!], { cwd, env }) : run('/bin/bash', [path.join(root, 'action/run.sh')], { cwd, env });
  }

  async function outputs(): Promise<Record<string, string>> {
    const text = await readFile(path.join(cwd, 'github-output'), 'utf8').catch(() => '');
    return Object.fromEntries(text.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  }

  it('runs one client scenario against the reference client, writes the reports, and records exit code 0', async () => {
    const result = await runScript({ client: referenceClient, shard: '1/1', args: `--scenario 'auth/metadata-default' --timeout "20000"`, reporters: 'console,json,junit' });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`+ ${process.execPath} ${bin} client --command '${referenceClient}' --shard 1/1 --reporter console,json,junit --output-dir mcp-auth-conformance-results --scenario auth/metadata-default --timeout 20000\n`);
    expect(result.stdout).toMatch(/PASS auth\/metadata-default/);
    const report = JSON.parse(readFileSync(path.join(cwd, 'mcp-auth-conformance-results/report.json'), 'utf8')) as { shard: unknown; scenarios: Array<{ id: string }> };
    expect(report.shard).toEqual({ index: 1, total: 1 });
    expect(report.scenarios.map((s) => s.id)).toEqual(['auth/metadata-default']);
    expect(existsSync(path.join(cwd, 'mcp-auth-conformance-results/junit.xml'))).toBe(true);
    expect(await outputs()).toEqual({ 'artifact-name': 'mcp-auth-conformance-client-shard-1-of-1', 'exit-code': '0' });
  });

  it('passes a failing run\'s exit code on, and the action\'s step itself keeps going so the reports are uploaded', async () => {
    const inputs = { client: 'true', args: '--scenario auth/metadata-default', reporters: 'json', 'output-dir': 'out dir', 'artifact-name': 'mine' };
    const direct = await runScript(inputs);
    expect(direct.code).toBe(1);
    expect(existsSync(path.join(cwd, 'out dir/report.json'))).toBe(true);
    const viaStep = await runScript(inputs, true);
    expect(viaStep.code).toBe(0);
    expect(await outputs()).toEqual({ 'artifact-name': 'mine', 'exit-code': '1' });
  });

  it.each([
    [{ client: 'true', issuer: 'http://127.0.0.1:9000' }, 'given: client, issuer'],
    [{ 'server-url': 'http://127.0.0.1:3000/mcp', 'server-command': 'node server.js' }, 'given: server-url, server-command'],
    [{}, 'given: none'],
  ])('%j is a clear error: exit code 2, no run', async (inputs, given) => {
    const result = await runScript(inputs);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      `::error title=mcp-auth-conformance::set exactly one of the inputs client, server-url, server-command, issuer, authorization-server-command (${given})`,
    );
    expect(result.stdout).toBe('');
    expect(await outputs()).toEqual({ 'exit-code': '2' });
  });

  it('turns each target input into its command, and an args value with an open quote into an error', async () => {
    // The local build reports the usage error it is given, so the command line shows in the error.
    const result = await runScript({ 'server-url': 'http://127.0.0.1:3000/mcp', suite: 'core', 'spec-version': '2025-06-18', 'expected-failures': 'baseline.yaml' });
    expect(result.stdout).toContain('server --url http://127.0.0.1:3000/mcp --suite core --spec-version 2025-06-18 --expected-failures baseline.yaml --reporter console,json,junit,markdown,html --output-dir mcp-auth-conformance-results');
    expect(result.code).toBe(2);
    const issuer = await runScript({ issuer: 'http://127.0.0.1:9', args: '--timeout 1000' });
    expect(issuer.stdout).toContain('authorization-server --issuer http://127.0.0.1:9 --reporter');
    const open = await runScript({ client: 'true', args: `--scenario 'auth/metadata-default` });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('::error title=mcp-auth-conformance::the args input is not a list of words');
  });
});

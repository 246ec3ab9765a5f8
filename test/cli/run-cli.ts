// Runs the compiled bin, or any command, in a scratch directory and collects what it said; shared by
// the CLI tests of sharding, merging, the GitHub Action and TypeScript clients.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const bin = path.join(root, 'dist/bin/mcp-auth-conformance.js');
export const referenceClient = `node ${path.join(root, 'dist/examples/clients/reference-client.js')}`;

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(bin)) throw new Error('build first: npm run build');
}

export function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Result> {
  const env = { ...process.env, ...options.env };
  delete env.FORCE_COLOR;
  // A CI machine's own step outputs and summary must not receive what the tests write.
  delete env.GITHUB_OUTPUT;
  delete env.GITHUB_STEP_SUMMARY;
  Object.assign(env, options.env);
  const child = spawn(file, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise<Result>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const cli = (args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Result> => run(process.execPath, [bin, ...args], { cwd, ...(env ? { env } : {}) });

/** The one stderr line of a usage error (exit code 2), or a thrown error saying what came instead. */
export function usageErrorLine(result: Result): string {
  const lines = result.stderr.split('\n').filter(Boolean);
  if (result.code !== 2 || lines.length !== 1 || !lines[0].startsWith('mcp-auth-conformance: ')) {
    throw new Error(`expected one usage error line and exit code 2, got ${result.code}:\n${result.stderr}`);
  }
  return lines[0];
}

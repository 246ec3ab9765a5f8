// Finding processes by an entry of their environment: the matching on sample blocks, the scan on a
// made-up /proc tree, and once on real processes that left their group.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { endProcessesCarrying, environHolds, findProcessesCarrying } from '../../core/targets/client/escaped-processes.js';
import { isAlive, processesWithEnvEntry, tempDir, waitFor } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => remove());

const block = (...entries: string[]): Buffer => Buffer.from(`${entries.join('\0')}\0`);
const holds = (environ: Buffer, entry: string): boolean => environHolds(environ, Buffer.from(entry));

describe('matching an environment entry', () => {
  it('matches a whole entry wherever it sits in the block', () => {
    expect(holds(block('MARK=/tmp/a', 'PATH=/bin'), 'MARK=/tmp/a')).toBe(true);
    expect(holds(block('PATH=/bin', 'MARK=/tmp/a', 'HOME=/h'), 'MARK=/tmp/a')).toBe(true);
    expect(holds(block('PATH=/bin', 'MARK=/tmp/a'), 'MARK=/tmp/a')).toBe(true);
    // Some processes rewrite their block and drop the trailing NUL.
    expect(holds(Buffer.from('PATH=/bin\0MARK=/tmp/a'), 'MARK=/tmp/a')).toBe(true);
  });

  it('does not match part of an entry', () => {
    expect(holds(block('MARK=/tmp/a1'), 'MARK=/tmp/a')).toBe(false);
    expect(holds(block('XMARK=/tmp/a'), 'MARK=/tmp/a')).toBe(false);
    expect(holds(block('OTHER=MARK=/tmp/a'), 'MARK=/tmp/a')).toBe(false);
    expect(holds(block('MARK=/tmp/a/b'), 'MARK=/tmp/a')).toBe(false);
    expect(holds(Buffer.alloc(0), 'MARK=/tmp/a')).toBe(false);
    expect(holds(block('MARK=/tmp/a'), '')).toBe(false);
  });

  it('finds a whole entry after a partial one', () => {
    expect(holds(block('MARK=/tmp/a1', 'MARK=/tmp/a'), 'MARK=/tmp/a')).toBe(true);
    expect(holds(block('XMARK=/tmp/a', 'MARK=/tmp/a'), 'MARK=/tmp/a')).toBe(true);
  });
});

/** A /proc tree holding only what the scan reads: environ and stat files. */
async function fakeProc(processes: Record<string, { environ?: Buffer; pgid?: number }>): Promise<string> {
  const proc = path.join(dir, 'proc');
  await mkdir(proc);
  for (const [name, { environ, pgid }] of Object.entries(processes)) {
    await mkdir(path.join(proc, name));
    if (environ) await writeFile(path.join(proc, name, 'environ'), environ);
    if (pgid !== undefined) await writeFile(path.join(proc, name, 'stat'), `${name} (sleep 1) S 1 ${pgid} ${pgid} 0 -1 4194560\n`);
  }
  return proc;
}

describe('scanning /proc', () => {
  it('finds the processes whose environment holds the entry, with their group', async () => {
    const proc = await fakeProc({
      '101': { environ: block('HOME=/h', 'MARK=/run/1'), pgid: 101 },
      '102': { environ: block('MARK=/run/10'), pgid: 102 },
      '103': {}, // vanished between the listing and the read
      '104': { environ: block('MARK=/run/1') }, // its stat went with it
      '105': { environ: Buffer.alloc(0), pgid: 105 }, // a zombie or a kernel thread
      self: { environ: block('MARK=/run/1'), pgid: 1 },
      [String(process.pid)]: { environ: block('MARK=/run/1'), pgid: 1 },
    });
    const found = findProcessesCarrying(['MARK=/run/1'], proc).sort((a, b) => a.pid - b.pid);
    expect(found).toEqual([
      { pid: 101, pgid: 101 },
      { pid: 104, pgid: undefined },
    ]);
    expect(findProcessesCarrying(['MARK=/run/10', 'MARK=/run/2'], proc)).toEqual([{ pid: 102, pgid: 102 }]);
    expect(findProcessesCarrying([], proc)).toEqual([]);
  });

  it('finds nothing where there is no /proc', () => {
    expect(findProcessesCarrying(['MARK=/run/1'], path.join(dir, 'no-proc'))).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('ends real processes that left their group, SIGKILLing one that ignores SIGTERM', async () => {
    const value = randomUUID();
    const entry = `MAC_TEST_MARK=${value}`;
    const ready = path.join(dir, 'ready');
    const env = { ...process.env, MAC_TEST_MARK: value };
    // detached: each child calls setsid(), so it leads a session and a group of its own.
    const plain = spawn('sleep', ['300'], { detached: true, stdio: 'ignore', env });
    const stubborn = spawn('sh', ['-c', `trap '' TERM; touch ${ready}; exec sleep 300`], { detached: true, stdio: 'ignore', env });
    const other = spawn('sleep', ['300'], { detached: true, stdio: 'ignore', env: { ...process.env, MAC_TEST_MARK: `${value}-other` } });
    for (const child of [plain, stubborn, other]) child.unref();
    try {
      await waitFor(() => existsSync(ready), 10_000, 'the stubborn child to ignore SIGTERM');
      const found = findProcessesCarrying([entry]).sort((a, b) => a.pid - b.pid);
      expect(found).toEqual([plain.pid!, stubborn.pid!].sort((a, b) => a - b).map((pid) => ({ pid, pgid: pid })));

      const ended = await endProcessesCarrying(entry, 300);
      expect(ended.map((p) => p.pid).sort()).toEqual([plain.pid, stubborn.pid].sort());
      expect(processesWithEnvEntry(entry)).toEqual([]);
      expect(isAlive(plain.pid!)).toBe(false);
      expect(isAlive(stubborn.pid!)).toBe(false);
      expect(isAlive(other.pid!)).toBe(true);
    } finally {
      for (const child of [plain, stubborn, other]) if (child.pid !== undefined && isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
    }
  });
});

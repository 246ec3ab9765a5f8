// Finding the process behind a connection: the /proc parsers on sample text, the reader on a
// made-up /proc tree (fd links are plain symlinks whose text readlink returns), and once for real.
import { spawn } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientSocketInode,
  clientSocketInodeInText,
  findSocketOwner,
  groupOf,
  parseProcAddress,
  parseProcNetTcp,
  parseProcStat,
  socketLinkInode,
  SocketOwnerLookup,
} from '../../core/targets/socket-owner.js';
import { isAlive, tempDir, waitFor } from './helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDir()));
afterEach(async () => remove());

// A client on port 41394 (A1B2) connected to a server on 8080 (1F90): both ends of the connection,
// the listener, a time-wait leftover (inode 0) and a connection from another address.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 100 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 4243 1 0000000000000000 20 4 31 10 -1
   3: 0100007F:C000 0100007F:1F90 06 00000000:00000000 03:00000F1A 00000000     0        0 0 3 0000000000000000
   4: 0500000A:A1B4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 20 4 30 10 -1
`;

// A dual-stack socket reaching 127.0.0.1 from port 41395, and one on ::1.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000100007F:A1B3 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 5151 1 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000001000000:A1B5 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 6161 1 0000000000000000 20 4 30 10 -1
`;

describe('parsing /proc text', () => {
  it('reads addresses in host byte order, IPv4-mapped IPv6 as dotted IPv4', () => {
    expect(parseProcAddress('0100007F:1F90', true)).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(parseProcAddress('7F000001:1F90', false)).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(parseProcAddress('0000000000000000FFFF00000100007F:A1B3', true)).toEqual({ address: '127.0.0.1', port: 41395 });
    expect(parseProcAddress('00000000000000000000000001000000:A1B5', true)).toEqual({ address: '0:0:0:0:0:0:0:1', port: 41397 });
    expect(parseProcAddress('nonsense', true)).toBeUndefined();
    expect(parseProcAddress('0100007F', true)).toBeUndefined();
  });

  it('lists the socket lines of /proc/net/tcp and skips the header', () => {
    const entries = parseProcNetTcp(TCP, true);
    expect(entries).toHaveLength(5);
    expect(entries[1]).toEqual({ localAddress: '127.0.0.1', localPort: 41394, remoteAddress: '127.0.0.1', remotePort: 8080, state: '01', inode: 4242 });
    expect(entries[4].localAddress).toBe('10.0.0.5');
    expect(parseProcNetTcp('', true)).toEqual([]);
    expect(parseProcNetTcp('garbage line\n  0: zz:zz zz:zz 01 x x x 0 0 1\n', true)).toEqual([]);
  });

  it('finds the client end of a connection, never the server end, a time-wait leftover or another address', () => {
    const entries = parseProcNetTcp(TCP, true);
    expect(clientSocketInode(entries, 41394, 8080)).toBe(4242);
    // Asked the other way round it names the server's end, which only the world's own process holds.
    expect(clientSocketInode(entries, 8080, 41394)).toBe(4243);
    expect(clientSocketInode(entries, 49152, 8080)).toBeUndefined();
    expect(clientSocketInode(entries, 41396, 8080)).toBeUndefined();
    expect(clientSocketInode(entries, 41394, 9090)).toBeUndefined();
    expect(clientSocketInode(parseProcNetTcp(TCP6, true), 41395, 8080)).toBe(5151);
    expect(clientSocketInode(parseProcNetTcp(TCP6, true), 41397, 8080)).toBeUndefined();
  });

  it('parses only the lines that mention the port, with the same answer', () => {
    expect(clientSocketInodeInText(TCP, 41394, 8080, true)).toBe(4242);
    expect(clientSocketInodeInText(TCP6, 41395, 8080, true)).toBe(5151);
    expect(clientSocketInodeInText(TCP, 41395, 8080, true)).toBeUndefined();
  });

  it('reads pid, process group and session from stat, whatever the command name holds', () => {
    expect(parseProcStat('1234 (node) S 1 1200 1199 0 -1 4194560 1 0 0 0')).toEqual({ pid: 1234, pgid: 1200, sid: 1199 });
    expect(parseProcStat('1234 (a (weird) name) R 1 1200 1200 0 -1')).toEqual({ pid: 1234, pgid: 1200, sid: 1200 });
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (x) S 1 nope')).toBeUndefined();
  });

  it('recognises socket fd links and matches a process to a group or a session', () => {
    expect(socketLinkInode('socket:[4242]')).toBe(4242);
    expect(socketLinkInode('pipe:[4242]')).toBeUndefined();
    expect(socketLinkInode('/dev/null')).toBeUndefined();
    const groups = new Set([1200, 1300]);
    expect(groupOf({ pid: 1234, pgid: 1200, sid: 1 }, groups)).toBe(1200);
    expect(groupOf({ pid: 1234, pgid: 5, sid: 1300 }, groups)).toBe(1300);
    expect(groupOf({ pid: 1234, pgid: 5, sid: 6 }, groups)).toBeUndefined();
  });
});

/** A made-up /proc: `processes` maps pid -> [pgid, sid, fd links, children]. */
async function fakeProc(root: string, tcp: string, tcp6: string, processes: Record<number, [number, number, string[], number[]]>): Promise<string> {
  await mkdir(path.join(root, 'net'), { recursive: true });
  await writeFile(path.join(root, 'net/tcp'), tcp);
  await writeFile(path.join(root, 'net/tcp6'), tcp6);
  for (const [pid, [pgid, sid, links, children]] of Object.entries(processes)) {
    await mkdir(path.join(root, pid, 'fd'), { recursive: true });
    await mkdir(path.join(root, pid, 'task', pid), { recursive: true });
    await writeFile(path.join(root, pid, 'stat'), `${pid} (client) S 1 ${pgid} ${sid} 0 -1 0`);
    await writeFile(path.join(root, pid, 'task', pid, 'children'), children.map((c) => `${c} `).join(''));
    for (const [fd, link] of links.entries()) await symlink(link, path.join(root, pid, 'fd', String(fd)));
  }
  return root;
}

describe('the reader', () => {
  it('follows each copy\'s process tree, then the copies\' groups and sessions, and finds nothing elsewhere', async () => {
    const proc = await fakeProc(path.join(dir, 'proc'), TCP, TCP6, {
      // copy A: a shell (group leader 100) whose child 101 holds the socket of port 41394
      100: [100, 100, ['/dev/null', 'pipe:[9]'], [101]],
      101: [100, 100, ['/dev/null', 'socket:[1]', 'socket:[4242]'], []],
      // copy B: leader 200; a daemon 250 that left the tree and the group but kept the session holds the IPv6 socket
      200: [200, 200, ['/dev/null'], []],
      250: [250, 200, ['socket:[5151]'], []],
      // an unrelated program holding the socket of another address
      300: [300, 300, ['socket:[777]'], []],
    });
    const groups = new Set([100, 200]);
    expect(findSocketOwner(41394, 8080, groups, proc)).toEqual({ pid: 101, group: 100 });
    expect(findSocketOwner(41395, 8080, groups, proc)).toEqual({ pid: 250, group: 200 });
    expect(findSocketOwner(41396, 8080, groups, proc)).toBeUndefined();
    // Held, but not by a copy.
    expect(findSocketOwner(41394, 8080, new Set([300]), proc)).toBeUndefined();
    expect(findSocketOwner(41394, 8080, new Set(), proc)).toBeUndefined();
    expect(findSocketOwner(41394, 8080, groups, path.join(dir, 'no-proc-here'))).toBeUndefined();
  });

  it('answers from a recent table read, and reads again when that table no longer fits', async () => {
    const root = path.join(dir, 'proc');
    const proc = await fakeProc(root, TCP, '', { 100: [100, 100, ['socket:[4242]'], []] });
    const lookup = new SocketOwnerLookup(proc, 60_000);
    expect(lookup.find(41394, 8080, new Set([100]))).toEqual({ pid: 100, group: 100 });
    // The port is reused by a new connection whose socket (inode 9999) the copy now holds instead.
    await writeFile(path.join(root, 'net/tcp'), TCP.replace(' 4242 ', ' 9999 '));
    await symlink('socket:[9999]', path.join(root, '100', 'fd', '7'));
    await import('node:fs/promises').then((fs) => fs.unlink(path.join(root, '100', 'fd', '0')));
    expect(lookup.find(41394, 8080, new Set([100]))).toEqual({ pid: 100, group: 100 });
    // A port the cached table never listed sends it back to /proc too.
    await writeFile(path.join(root, 'net/tcp'), `${TCP}   5: 0100007F:A1B6 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 8888 1\n`);
    await symlink('socket:[8888]', path.join(root, '100', 'fd', '8'));
    expect(lookup.find(41398, 8080, new Set([100]))).toEqual({ pid: 100, group: 100 });
  });

  it.runIf(process.platform === 'linux')('finds a real client process behind a real connection', async () => {
    let port = 0;
    let resolveOwner!: (owner: ReturnType<typeof findSocketOwner>) => void;
    const owned = new Promise<ReturnType<typeof findSocketOwner>>((resolve) => (resolveOwner = resolve));
    const groups = new Set<number>();
    const server = http.createServer((req, res) => {
      resolveOwner(findSocketOwner(req.socket.remotePort!, req.socket.localPort!, groups));
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    // Through a shell, as the kit starts clients: the socket belongs to the shell's child.
    const script = `await fetch('http://127.0.0.1:${port}/').then((r) => r.text()); console.log(process.pid);`;
    const child = spawn('/bin/sh', ['-c', `${JSON.stringify(process.execPath)} --input-type=module -e "${script}"; true`], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    groups.add(child.pid!);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      const owner = await owned;
      await exited;
      expect(owner).toEqual({ pid: Number(stdout.trim()), group: child.pid });
      expect(owner!.pid).not.toBe(child.pid);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      await waitFor(() => !isAlive(child.pid!), 5_000, 'the client to end');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

// Who holds a TCP socket, found from /proc: which client process opened a connection to the world
// (without any help from the client), and whether a target the kit started is the one listening.
// For the first: racing copies of one command look the same on the wire (same headers, same state
// directory), so only the kernel can tell their requests apart.
//
// The world knows the connection's remote port. The client's end of it is the /proc/net/tcp (or
// tcp6) line whose local address is 127.0.0.1:<that port> and whose remote address is
// 127.0.0.1:<the world's port>; that line names the socket's inode, and the process holding
// `socket:[inode]` among its /proc/<pid>/fd links owns it. Only the running copies' processes are
// searched: each copy's process tree, then any process in a copy's process group (field 5 of
// /proc/<pid>/stat) or session (each copy leads both: it is spawned detached). That keeps the search
// short and never attributes a request to an unrelated program.
//
// The parsing functions are pure, so they are tested on sample /proc text; SocketOwnerLookup is the
// small reader around them. Linux only: elsewhere the reader finds nothing and the caller falls back.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

export interface TcpSocketEntry {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** The kernel's TCP state, as the two hex digits of the `st` column (01 established, 06 time-wait...). */
  state: string;
  /** 0 for sockets no process holds any more (time-wait). */
  inode: number;
}

export interface ProcStat {
  pid: number;
  /** Field 5: the process group. */
  pgid: number;
  /** Field 6: the session. */
  sid: number;
}

/**
 * One 32-bit word of a /proc/net address as bytes. The kernel prints the address words as they sit
 * in memory, read as host-order integers, so on little-endian machines 127.0.0.1 reads 0100007F.
 */
function wordBytes(hex: string, littleEndian: boolean): number[] {
  const value = Number.parseInt(hex, 16);
  const bytes = [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return littleEndian ? bytes.reverse() : bytes;
}

/**
 * A /proc/net/tcp or tcp6 address (`0100007F:1F90`) as a printable address and a port. IPv4-mapped
 * IPv6 addresses (a dual-stack socket reaching 127.0.0.1) come out in dotted form, so one comparison
 * serves both files. Undefined for text that is not an address.
 */
export function parseProcAddress(text: string, littleEndian = os.endianness() === 'LE'): { address: string; port: number } | undefined {
  const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!match) return undefined;
  const [, hex, portHex] = match;
  const port = Number.parseInt(portHex, 16);
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8), littleEndian));
  if (bytes.length === 4) return { address: bytes.join('.'), port };
  const v4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (v4Mapped) return { address: bytes.slice(12).join('.'), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return { address: groups.join(':'), port };
}

/** The socket lines of /proc/net/tcp or /proc/net/tcp6; the header and malformed lines are skipped. */
export function parseProcNetTcp(text: string, littleEndian = os.endianness() === 'LE'): TcpSocketEntry[] {
  const entries: TcpSocketEntry[] = [];
  for (const line of text.split('\n')) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || !/^\d+:$/.test(fields[0])) continue;
    const local = parseProcAddress(fields[1], littleEndian);
    const remote = parseProcAddress(fields[2], littleEndian);
    const inode = Number(fields[9]);
    if (!local || !remote || !Number.isSafeInteger(inode)) continue;
    entries.push({ localAddress: local.address, localPort: local.port, remoteAddress: remote.address, remotePort: remote.port, state: fields[3], inode });
  }
  return entries;
}

/**
 * The inode of the client's end of a loopback connection to `serverPort` from `clientPort`. The
 * world's own end of the same connection is the mirror line (local = server port) and never matches.
 */
export function clientSocketInode(entries: readonly TcpSocketEntry[], clientPort: number, serverPort: number): number | undefined {
  const entry = entries.find(
    (e) => e.inode !== 0 && e.localPort === clientPort && e.remotePort === serverPort && e.localAddress === '127.0.0.1' && e.remoteAddress === '127.0.0.1',
  );
  return entry?.inode;
}

/**
 * clientSocketInode straight from /proc/net/tcp text, parsing only the lines that mention the
 * client's port: a busy machine lists hundreds of sockets, and parsing them all costs more than
 * reading them.
 */
export function clientSocketInodeInText(text: string, clientPort: number, serverPort: number, littleEndian = os.endianness() === 'LE'): number | undefined {
  const needle = `:${clientPort.toString(16).toUpperCase().padStart(4, '0')} `;
  const lines = text.split('\n').filter((line) => line.includes(needle));
  return clientSocketInode(parseProcNetTcp(lines.join('\n'), littleEndian), clientPort, serverPort);
}

/**
 * /proc/<pid>/stat: `pid (comm) state ppid pgrp session ...`. The command name may hold spaces and
 * parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isSafeInteger(pid)) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const pgid = Number(fields[2]);
  const sid = Number(fields[3]);
  if (!Number.isSafeInteger(pgid) || !Number.isSafeInteger(sid)) return undefined;
  return { pid, pgid, sid };
}

/** The inode of an fd link that is a socket (`socket:[12345]`), else undefined. */
export function socketLinkInode(link: string): number | undefined {
  const match = /^socket:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : undefined;
}

/**
 * The group (of `groups`) a process belongs to: its process group, or else its session. Node starts
 * a detached child with setsid(), so its group and session ids are both its pid; a helper that put
 * itself in a group of its own but stayed in the session is still found.
 */
export function groupOf(stat: ProcStat, groups: ReadonlySet<number>): number | undefined {
  if (groups.has(stat.pgid)) return stat.pgid;
  if (groups.has(stat.sid)) return stat.sid;
  return undefined;
}

export interface SocketOwner {
  pid: number;
  /** The member of `groups` the owning process belongs to: which copy sent the request. */
  group: number;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Whether `pid` holds the socket named by `wanted` (`socket:[inode]`) among its open descriptors. */
function holdsSocket(proc: string, pid: number, wanted: string): boolean {
  for (const fd of listDir(`${proc}/${pid}/fd`)) {
    try {
      if (readlinkSync(`${proc}/${pid}/fd/${fd}`) === wanted) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

/**
 * The children of a process, from the `children` file of each of its threads (a child belongs to
 * the thread that forked it). Empty when the kernel lacks CONFIG_PROC_CHILDREN; the caller then
 * scans every process instead.
 */
function childrenOf(proc: string, pid: number): number[] {
  const children: number[] = [];
  for (const task of listDir(`${proc}/${pid}/task`)) {
    const text = readText(`${proc}/${pid}/task/${task}/children`);
    if (text) for (const child of text.trim().split(/\s+/)) if (/^\d+$/.test(child)) children.push(Number(child));
  }
  return children;
}

/**
 * Finds which running copy owns a client socket. One lookup reads /proc/net/tcp, and on this
 * kernel interface that read walks the whole TCP hash table, empty buckets included: it costs
 * milliseconds however few sockets exist. Racing copies connect in bursts, so a table read within
 * `maxAgeMs` serves the next lookups too. That cannot misattribute: an entry from an older read names
 * an inode, and an inode that no running copy holds any more (its connection closed, its port
 * reused) sends the lookup back to a fresh read.
 */
export class SocketOwnerLookup {
  private table: { text: string; at: number } | undefined;

  constructor(
    private readonly proc = '/proc',
    private readonly maxAgeMs = 50,
  ) {}

  /**
   * The process among the members of `groups` (group leaders' pids) that holds the client end of
   * the loopback connection from `clientPort` to `serverPort`; undefined when it cannot be found
   * (not Linux, the socket is gone, the owner left the copies' process trees, groups and sessions).
   * Never throws. Synchronous, so that the world can attribute a request before answering it.
   */
  find(clientPort: number, serverPort: number, groups: ReadonlySet<number>): SocketOwner | undefined {
    if (groups.size === 0) return undefined;
    if (this.table && performance.now() - this.table.at <= this.maxAgeMs) {
      const inode = clientSocketInodeInText(this.table.text, clientPort, serverPort);
      const owner = inode === undefined ? undefined : this.owner(inode, groups);
      if (owner) return owner;
    }
    const inode = this.readInode(clientPort, serverPort);
    return inode === undefined ? undefined : this.owner(inode, groups);
  }

  private readInode(clientPort: number, serverPort: number): number | undefined {
    const at = performance.now();
    const v4 = readText(`${this.proc}/net/tcp`) ?? '';
    this.table = { text: v4, at };
    const inode = clientSocketInodeInText(v4, clientPort, serverPort);
    if (inode !== undefined) return inode;
    // A dual-stack client socket reaching 127.0.0.1 is listed with the IPv6 sockets.
    const v6 = readText(`${this.proc}/net/tcp6`) ?? '';
    this.table = { text: `${v4}\n${v6}`, at };
    return clientSocketInodeInText(v6, clientPort, serverPort);
  }

  private owner(inode: number, groups: ReadonlySet<number>): SocketOwner | undefined {
    const wanted = `socket:[${inode}]`;
    // Each copy's own process tree first: the shell that runs the command, the client it starts, and
    // what that starts. Cheap (a few files per process) and independent of what else the machine runs.
    const seen = new Set<number>();
    for (const leader of groups) {
      const queue = [leader];
      while (queue.length > 0) {
        const pid = queue.shift()!;
        if (seen.has(pid)) continue;
        seen.add(pid);
        if (holdsSocket(this.proc, pid, wanted)) return { pid, group: leader };
        queue.push(...childrenOf(this.proc, pid));
      }
    }
    // A process that left the tree (double-forked, reparented) but kept the copy's group or session.
    for (const name of listDir(this.proc)) {
      if (!/^\d+$/.test(name) || seen.has(Number(name))) continue;
      const text = readText(`${this.proc}/${name}/stat`);
      const stat = text === undefined ? undefined : parseProcStat(text);
      const group = stat ? groupOf(stat, groups) : undefined;
      if (stat && group !== undefined && holdsSocket(this.proc, stat.pid, wanted)) return { pid: stat.pid, group };
    }
    return undefined;
  }
}

/** One lookup without a table cache; see SocketOwnerLookup.find. */
export function findSocketOwner(clientPort: number, serverPort: number, groups: ReadonlySet<number>, proc = '/proc'): SocketOwner | undefined {
  return new SocketOwnerLookup(proc, 0).find(clientPort, serverPort, groups);
}

/**
 * Whether the socket listening on 127.0.0.1:`port` belongs to a process of group (or session)
 * `group`: a target the kit starts is ready only when *it* listens, not when some other program
 * took the port it was given in the moment between the kit choosing it and the target binding it
 * (two test runs on one machine do). Undefined where /proc cannot tell (not Linux).
 */
export function listenerInGroup(port: number, group: number, proc = '/proc'): boolean | undefined {
  const inodes = new Set<number>();
  let readable = false;
  for (const file of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`${proc}/net/${file}`, 'utf8');
      readable = true;
    } catch {
      continue;
    }
    // 0A: TCP_LISTEN.
    for (const entry of parseProcNetTcp(text)) if (entry.localPort === port && entry.state === '0A' && entry.inode !== 0) inodes.add(entry.inode);
  }
  if (!readable) return undefined;
  if (inodes.size === 0) return false;
  const groups = new Set([group]);
  for (const name of readdirSync(proc)) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseProcStat(readFileSync(`${proc}/${name}/stat`, 'utf8'));
      if (!stat || groupOf(stat, groups) === undefined) continue;
      for (const fd of readdirSync(`${proc}/${name}/fd`)) {
        const inode = socketLinkInode(readlinkSync(`${proc}/${name}/fd/${fd}`));
        if (inode !== undefined && inodes.has(inode)) return true;
      }
    } catch {
      // the process ended while it was read, or is not ours to read
    }
  }
  return false;
}

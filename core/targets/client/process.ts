// Runs one client process under the client command contract and makes sure nothing it started
// outlives it. The client leads its own process group so that a timeout, Ctrl-C or its own exit
// can end everything it spawned (a callback listener, a browser helper) with one signal. What left
// the group (setsid) is found afterwards by the launch's own value in its environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { TraceRecorder } from '../../../mocks/recorder.js';
import { browse } from './browser.js';
import { endProcessesCarrying, killProcessesCarryingSync } from './escaped-processes.js';
import { runnableClientCommand } from './typescript.js';
import { drainOutput, GroupStopper, killAllGroups, lastLine, OutputTail, ProcessRecord, signalGroup, trackGroup, untrackGroup } from '../process-group.js';
import { BROWSER_ACTOR, type Actor, type ProcessEvent, type ProcessOutcome, type WorldFacts } from '../../trace.js';

/**
 * Names the file a browser shim appends URLs to; private to the kit and its shims. Unique to each
 * launch, so it also marks every process a launch started, wherever it went.
 */
export const INBOX_ENV = 'MCP_AUTH_CONFORMANCE_INBOX';
/** The scenario's state directory under the client contract; marks every process of the scenario. */
export const STATE_DIR_ENV = 'MCP_CONFORMANCE_STATE_DIR';

/** How long a client that printed an authorization URL has to fetch it itself before the kit does. */
const PRINTED_URL_GRACE_MS = 250;
/** Between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 1000;
/** Backs up the directory watch, which some file systems do not support. */
const INBOX_POLL_MS = 250;

export interface LaunchOptions {
  /** The user's command; the MCP URL is appended as its last argument. */
  command: string;
  actor: Actor;
  recorder: TraceRecorder;
  world: { facts: WorldFacts; origins: readonly string[] };
  scenario: string;
  protocolVersion: string;
  context?: Record<string, unknown>;
  /** Prepared with prepareStateDir. */
  stateDir: string;
  timeoutMs: number;
}

export interface ClientProcess {
  readonly pid: number | undefined;
  /**
   * Settles once the process, its whole group and whatever it started outside the group are gone and
   * the kit's browser has stopped. Never rejects.
   */
  readonly finished: Promise<ProcessOutcome>;
  /** Ends the process group now (Ctrl-C); `finished` then settles as usual. */
  stop(reason: string): void;
}

export interface ClientKit {
  /** Directory put first on PATH, holding the `xdg-open` and `open` shims. */
  readonly shimDir: string;
  launch(options: LaunchOptions): ClientProcess;
  /** Stops watching for browser requests. Processes still running are killed. */
  close(): Promise<void>;
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

// The environment entries of launches whose escaped processes have not been ended yet; the process
// groups themselves are tracked with every other target's (process-group.ts).
const liveMarkers = new Set<string>();

/**
 * SIGKILLs every target process group still running and what escaped the client groups (one scan of
 * /proc, Linux only); synchronous, for exit and signal handlers.
 */
export function killAllClients(): void {
  killAllGroups();
  killProcessesCarryingSync([...liveMarkers]);
  liveMarkers.clear();
}

function track(pgid: number, marker: string): void {
  trackGroup(pgid, killAllClients);
  liveMarkers.add(marker);
}

/**
 * Ends whatever still carries a scenario's state directory in its environment: a process that
 * outlived every launch of the scenario even without its launch's own entry. Resolves with their pids.
 */
export async function endScenarioLeftovers(stateDir: string): Promise<number[]> {
  const ended = await endProcessesCarrying(`${STATE_DIR_ENV}=${stateDir}`, KILL_GRACE_MS);
  return ended.map((p) => p.pid);
}

/** HOME and the XDG base directories inside the state dir, mirroring their usual layout. */
function homeLayout(stateDir: string): Record<string, string> {
  const home = path.join(stateDir, 'home');
  return {
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_STATE_HOME: path.join(home, '.local', 'state'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
}

/** Creates a scenario's state directory with its HOME and XDG directories; existing content is kept. */
export async function prepareStateDir(stateDir: string): Promise<void> {
  await Promise.all(Object.values(homeLayout(stateDir)).map((dir) => mkdir(dir, { recursive: true })));
}

/** The environment of a client process: the kit's own plus the contract. */
export function clientEnvironment(
  options: Pick<LaunchOptions, 'scenario' | 'protocolVersion' | 'context' | 'stateDir'>,
  shimDir: string,
  inboxFile: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A context left in the user's shell must not leak into a scenario that has none.
  delete env.MCP_CONFORMANCE_CONTEXT;
  Object.assign(env, {
    MCP_CONFORMANCE_SCENARIO: options.scenario,
    MCP_CONFORMANCE_PROTOCOL_VERSION: options.protocolVersion,
    [STATE_DIR_ENV]: options.stateDir,
    ...homeLayout(options.stateDir),
    BROWSER: path.join(shimDir, 'browser'),
    PATH: env.PATH ? `${shimDir}${path.delimiter}${env.PATH}` : shimDir,
    [INBOX_ENV]: inboxFile,
  });
  if (options.context) env.MCP_CONFORMANCE_CONTEXT = JSON.stringify(options.context);
  return env;
}

// A browser launcher in name only: it appends each URL to the file the kit named in the
// environment and returns at once, so no helper process stays around.
const SHIM = `#!/bin/sh
# Written by mcp-auth-conformance for one run: the kit visits the URL instead of a web browser.
inbox=$${INBOX_ENV}
if [ -z "$inbox" ]; then
  echo "\${0##*/}: not started by mcp-auth-conformance ($${INBOX_ENV} is unset)" >&2
  exit 1
fi
for arg in "$@"; do
  case $arg in
    http://*|https://*) printf '%s\\t%s\\n' "\${0##*/}" "$arg" >> "$inbox" ;;
  esac
done
exit 0
`;

/** Writes the shims and starts watching for URLs under `runDir`. One kit serves a whole run. */
export async function createClientKit(runDir: string): Promise<ClientKit> {
  const shimDir = path.join(runDir, 'bin');
  const inboxDir = path.join(runDir, 'inbox');
  await Promise.all([mkdir(shimDir, { recursive: true }), mkdir(inboxDir, { recursive: true })]);
  await Promise.all(
    ['xdg-open', 'open', 'browser'].map(async (name) => {
      const file = path.join(shimDir, name);
      await writeFile(file, SHIM);
      await chmod(file, 0o755);
    }),
  );
  const inbox = new UrlInbox(inboxDir);
  const running = new Set<ClientProcess>();
  let launched = 0;
  return {
    shimDir,
    launch(options) {
      const inboxName = `${++launched}`;
      const client = startClient(options, shimDir, path.join(inboxDir, inboxName), (onUrl) => inbox.register(inboxName, onUrl));
      running.add(client);
      void client.finished.then(() => running.delete(client));
      return client;
    },
    async close() {
      const left = [...running];
      for (const client of left) client.stop('the run ended');
      await Promise.all(left.map((client) => client.finished));
      inbox.close();
    },
  };
}

type UrlHandler = (via: string, url: string) => void;

/**
 * Collects what the shims append. One directory watch serves every client of the run; a slow poll
 * covers file systems where watching does not work.
 */
class UrlInbox {
  private readonly entries = new Map<string, { offset: number; onUrl: UrlHandler; busy: boolean; again: boolean }>();
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(private readonly dir: string) {
    try {
      this.watcher = watch(dir, (_event, name) => {
        if (name) void this.drain(String(name));
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      this.watcher = undefined;
    }
  }

  register(name: string, onUrl: UrlHandler): () => void {
    this.entries.set(name, { offset: 0, onUrl, busy: false, again: false });
    this.poll ??= setInterval(() => {
      for (const entryName of this.entries.keys()) void this.drain(entryName);
    }, INBOX_POLL_MS);
    return () => {
      this.entries.delete(name);
      if (this.entries.size === 0 && this.poll) {
        clearInterval(this.poll);
        this.poll = undefined;
      }
    };
  }

  close(): void {
    this.stopWatching();
    this.entries.clear();
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async drain(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    if (entry.busy) {
      entry.again = true;
      return;
    }
    entry.busy = true;
    try {
      do {
        entry.again = false;
        let content: Buffer;
        try {
          content = await readFile(path.join(this.dir, name));
        } catch {
          return; // nothing written yet
        }
        const end = content.lastIndexOf(0x0a) + 1;
        if (end <= entry.offset) continue;
        const lines = content.subarray(entry.offset, end).toString('utf8').split('\n');
        entry.offset = end;
        for (const line of lines) {
          const tab = line.indexOf('\t');
          if (tab > 0 && this.entries.get(name) === entry) entry.onUrl(line.slice(0, tab), line.slice(tab + 1));
        }
      } while (entry.again);
    } finally {
      entry.busy = false;
    }
  }
}

// Colour codes and terminal hyperlinks would otherwise cut a printed URL short or hide it.
const OSC8_LINK = /\x1b\]8;[^;\x07\x1b]*;([^\x07\x1b]*)(?:\x07|\x1b\\)/g;
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

function authorizationUrlPattern(authorizeEndpoint: string): RegExp {
  const escaped = authorizeEndpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}\\?[^\\s"'<>\`\\x00-\\x1f]+`, 'g');
}

/** Finds authorization URLs in a stream's text, line by line, including a last line left without a newline. */
class UrlScanner {
  private carry = '';
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly pattern: RegExp,
    private readonly onUrl: (url: string) => void,
  ) {}

  push(chunk: string): void {
    if (this.idle) clearTimeout(this.idle);
    const text = this.carry + chunk;
    const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    if (lastBreak >= 0) this.scan(text.slice(0, lastBreak));
    this.carry = text.slice(lastBreak + 1);
    if (this.carry.length > 64 * 1024) {
      this.scan(this.carry);
      this.carry = '';
    }
    // A prompt such as "Open this URL: ..." may wait without a newline.
    if (this.carry) this.idle = setTimeout(() => this.scan(this.carry), 50);
  }

  stop(): void {
    if (this.idle) clearTimeout(this.idle);
  }

  private scan(text: string): void {
    const plain = text.replace(OSC8_LINK, ' $1 ').replace(ESCAPES, '');
    for (const match of plain.matchAll(this.pattern)) this.onUrl(match[0].replace(/[.,;:!?)\]}]+$/, ''));
  }
}

function startClient(
  options: LaunchOptions,
  shimDir: string,
  inboxFile: string,
  listen: (onUrl: UrlHandler) => () => void,
): ClientProcess {
  const { actor, recorder, world } = options;
  const line = `${runnableClientCommand(options.command)} ${shellQuote(world.facts.mcpUrl)}`;
  const env = clientEnvironment(options, shimDir, inboxFile);
  const marker = `${INBOX_ENV}=${inboxFile}`;
  const record = new ProcessRecord(actor, line);
  const browserStop = new AbortController();
  const browsing = new Set<Promise<void>>();
  const opened = new Set<string>();
  const printed = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let exited = false;
  let exitEvent: ProcessEvent | undefined;
  let settled = false;

  // The same authorization request may arrive printed and through a shim; `state` identifies it.
  const requestKey = (url: string): string => {
    try {
      const parsed = new URL(url);
      return parsed.searchParams.get('state') ?? parsed.href;
    } catch {
      return url;
    }
  };

  const openInBrowser = (url: string, via: string): void => {
    if (settled || exited) return;
    const key = requestKey(url);
    if (opened.has(key)) return;
    opened.add(key);
    const event = recorder.event('browser-open', actor, { url, via });
    const walk = browse(url, { recorder, worldOrigins: world.origins, signal: browserStop.signal, requestTimeoutMs: options.timeoutMs })
      .then((result) => {
        Object.assign(event.detail ?? {}, { outcome: result.outcome, result: result.reason });
      })
      .catch((error: unknown) => {
        Object.assign(event.detail ?? {}, { outcome: 'failed', result: String((error as Error)?.message ?? error) });
      });
    browsing.add(walk);
    void walk.finally(() => browsing.delete(walk));
  };

  const fetchedByClient = (url: string): boolean => {
    const key = requestKey(url);
    return recorder.exchanges.some((e) => e.role === 'authorize' && e.actor !== BROWSER_ACTOR && requestKey(e.request.url) === key);
  };

  const sawPrintedUrl = (url: string, stream: 'stdout' | 'stderr'): void => {
    if (settled || exited || printed.has(url)) return;
    printed.add(url);
    recorder.event('url-printed', actor, { url, stream });
    // Clients that fetch the URL themselves (as the official examples do) also print it; give them the first go.
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!fetchedByClient(url)) openInBrowser(url, 'printed');
    }, PRINTED_URL_GRACE_MS);
    timers.add(timer);
  };

  const pattern = authorizationUrlPattern(world.facts.endpoints.authorize);
  const stdoutScanner = new UrlScanner(pattern, (url) => sawPrintedUrl(url, 'stdout'));
  const stderrScanner = new UrlScanner(pattern, (url) => sawPrintedUrl(url, 'stderr'));
  const unlisten = listen((via, url) => openInBrowser(url, via));

  let child: ChildProcess | undefined;
  try {
    // stdin is a pipe the kit never writes to and closes only once the client is gone, as the
    // official suite leaves it: a terminal nobody types into. /dev/null would be an immediate end
    // of input, and CLIs that take end of input for "the host went away" (mcp-remote-client
    // shuts down on it) would quit before doing anything that is judged.
    child = spawn('/bin/sh', ['-c', line], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env });
  } catch (error) {
    record.spawnError = (error as Error).message;
  }
  const pid = child?.pid;
  if (pid !== undefined) {
    track(pid, marker);
    recorder.event('spawn', actor, { pid, command: line });
  }

  let resolveFinished!: (outcome: ProcessOutcome) => void;
  const finished = new Promise<ProcessOutcome>((resolve) => (resolveFinished = resolve));
  const stopper = new GroupStopper(pid, KILL_GRACE_MS);

  const timeout = setTimeout(() => {
    if (exited) return;
    record.timedOut = true;
    recorder.event('timeout', actor, { timeoutMs: options.timeoutMs });
    stopper.stop();
  }, options.timeoutMs);

  const settle = async (): Promise<void> => {
    if (settled) return;
    settled = true;
    clearTimeout(timeout);
    stopper.exited();
    for (const timer of timers) clearTimeout(timer);
    stdoutScanner.stop();
    stderrScanner.stop();
    unlisten();
    browserStop.abort();
    await Promise.allSettled([...browsing]);
    if (pid !== undefined) {
      // A member of the group the kill has not finished yet may be found too; only the others escaped.
      const escaped = (await endProcessesCarrying(marker, KILL_GRACE_MS)).filter((p) => p.pgid !== pid);
      if (escaped.length > 0) recorder.event('killed', actor, { pids: escaped.map((p) => p.pid), reason: 'escaped the process group (setsid or a group of its own)' });
      liveMarkers.delete(marker);
    }
    const durationMs = record.durationMs();
    const { exitCode } = record;
    if (record.spawnError === undefined && (exitCode === 126 || exitCode === 127) && !recorder.exchanges.some((e) => e.actor === actor)) {
      // sh's way of saying the command was not found or not executable: the target never ran.
      record.spawnError = `${exitCode === 127 ? 'command not found' : 'command not executable'} (exit ${exitCode}): ${lastLine(record.stderr.value())}`;
    }
    const { spawnError } = record;
    if (exitEvent) Object.assign(exitEvent.detail ?? {}, { durationMs, ...(spawnError ? { spawnError } : {}) });
    else recorder.event('exit', actor, { exitCode, signal: record.signal, durationMs, ...(spawnError ? { spawnError } : {}) });
    resolveFinished(record.outcome());
  };

  if (!child) void settle();

  if (child) {
    const streams: Array<[Readable | null, OutputTail, UrlScanner]> = [
      [child.stdout, record.stdout, stdoutScanner],
      [child.stderr, record.stderr, stderrScanner],
    ];
    for (const [stream, tail, scanner] of streams) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        tail.push(chunk);
        scanner.push(chunk);
      });
      stream?.on('error', () => undefined);
    }
    const outputClosed = new Promise<void>((resolve) => child!.once('close', () => resolve()));
    // A client that closes its end first would otherwise make the kit's end raise EPIPE.
    child.stdin?.on('error', () => undefined);

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pid !== undefined) return; // errors of a running process (a failed kill) change nothing here
      record.spawnError = error.code ? `${error.code}: ${error.message}` : error.message;
      child!.stdin?.destroy();
      exited = true;
      void settle();
    });

    child.once('exit', (code, signal) => {
      exited = true;
      record.exited(code, signal);
      exitEvent = recorder.event('exit', actor, { exitCode: code, signal });
      child!.stdin?.destroy();
      if (pid !== undefined) {
        // Whatever the client left running (a listener, a helper) goes with it.
        if (signalGroup(pid, 0)) {
          signalGroup(pid, 'SIGKILL');
          recorder.event('killed', actor, { pgid: pid, reason: 'still running after the client exited' });
        }
        untrackGroup(pid);
      }
      // Something that left the group may still hold the pipes; the tails do not wait for it.
      void drainOutput(child!, outputClosed).then(settle);
    });
  }

  return {
    pid,
    finished,
    stop(reason: string) {
      if (settled || exited || pid === undefined) return;
      recorder.event('killed', actor, { pgid: pid, reason });
      stopper.stop();
    },
  };
}

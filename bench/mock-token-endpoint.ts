// Benchmark: the kit's mock token endpoint in requests per second on one core, beside
// oauth2-mock-server 9.3 serving the same flow, measured in the same run. Each server is a process
// of its own pinned to one core; this process is the load generator, pinned to another, with a
// keep-alive agent and a fixed number of requests in flight. Three figures per server: full flows
// (GET the authorization endpoint with PKCE S256, read the code from the redirect, POST it with the
// verifier), the token endpoint alone (codes obtained beforehand: both servers take each code once),
// and the refresh_token grant (one refresh token presented again and again). Servers take turns,
// round after round, so a busy machine weighs on each alike; medians are reported.
// oauth2-mock-server 9.3 needs Node 22: both come from the npm registry into a folder of their own
// (bench/.oauth2-mock-server/, made on first use); the kit runs on that Node too, so the two are
// compared on one runtime, and on the Node running this benchmark.
//   npm run bench:mock -- [--rounds 3] [--seconds 3] [--warmup 1] [--concurrency 16]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '16' },
  },
});
const rounds = Number(values.rounds);
const phaseMs = Number(values.seconds) * 1000;
const warmupMs = Number(values.warmup) * 1000;
const concurrency = Number(values.concurrency);

const benchDist = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const installDir = join(root, 'bench', '.oauth2-mock-server');
const shown = (path: string) => relative(root, path) + '/';
const SERVER_CORE = 0;
const GENERATOR_CORE = 1;
const OMS_RANGE = '9.3';

// ---------------------------------------------------------------------------------------------
// Children: every server this benchmark starts is killed when it ends, however it ends.

const children = new Set<ChildProcess>();
const killAll = (): void => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', killAll);
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + number);
  });
}

// ---------------------------------------------------------------------------------------------
// One core per server, the generator on another.

interface Pinning {
  /** Put in front of a server's command. */
  prefix: string[];
  note: string;
}

function pin(): Pinning {
  const cores = os.availableParallelism();
  if (spawnSync('taskset', ['-c', String(SERVER_CORE), 'true']).status !== 0) {
    return { prefix: [], note: 'taskset (util-linux) not usable here: servers and load generator are not pinned, so a server may use more than one core' };
  }
  if (cores < 2) return { prefix: ['taskset', '-c', String(SERVER_CORE)], note: 'one core only: the load generator shares it with the server' };
  // -a: the threads this process already has (libuv's pool, V8's) move along with it.
  const self = spawnSync('taskset', ['-a', '-p', '-c', String(GENERATOR_CORE), String(process.pid)]);
  const generator = self.status === 0 ? `load generator on core ${GENERATOR_CORE}` : 'load generator not pinned';
  return { prefix: ['taskset', '-c', String(SERVER_CORE)], note: `servers pinned to core ${SERVER_CORE} (taskset -c ${SERVER_CORE}), ${generator}, ${cores} cores` };
}

// ---------------------------------------------------------------------------------------------
// Node 22 and oauth2-mock-server, from the npm registry, in a folder of their own.

interface OauthMockServer {
  node: string;
  nodeVersion: string;
  cli: string;
  version: string;
}

function nodeVersion(binary: string): string | undefined {
  if (!existsSync(binary)) return undefined;
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

function locate(dir: string): OauthMockServer | undefined {
  const packageDir = join(dir, 'node_modules', 'oauth2-mock-server');
  if (!existsSync(join(packageDir, 'package.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string; bin: string | Record<string, string> };
  if (!manifest.version.startsWith(OMS_RANGE + '.')) return undefined;
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['oauth2-mock-server'];
  // node@22 links the binary of its platform package into its own bin/ from an install script;
  // where that link is missing the platform package may still be there.
  const platformPackage = `node-${process.platform}-${process.arch}`;
  for (const node of [join(dir, 'node_modules', 'node', 'bin', 'node'), join(dir, 'node_modules', 'node', 'node_modules', platformPackage, 'bin', 'node')]) {
    const version = nodeVersion(node);
    if (version?.startsWith('v22.')) return { node, nodeVersion: version, cli: join(packageDir, bin), version: manifest.version };
  }
  return undefined;
}

/**
 * npm run hands its configuration down in npm_* variables, the project's prefix among them: an
 * install started from here would land in the project. Only what reaching the registry needs is kept.
 */
function installEnvironment(): NodeJS.ProcessEnv {
  const kept = /^npm_config_(registry|userconfig|globalconfig|cache|cafile|ca|proxy|https?_proxy|noproxy|strict_ssl|ignore_scripts)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) || kept.test(name)));
}

async function installOauthMockServer(): Promise<OauthMockServer> {
  const found = locate(installDir);
  if (found) return found;
  console.log(`installing node@22 and oauth2-mock-server@${OMS_RANGE} from the npm registry into ${shown(installDir)} (first use only; not the project's dependencies)`);
  // A staging folder renamed into place at the end, so an interrupted install never looks complete.
  const staging = await mkdtemp(installDir + '-');
  try {
    await writeFile(join(staging, 'package.json'), JSON.stringify({ private: true, description: 'Node 22 and oauth2-mock-server for npm run bench:mock' }, null, 2) + '\n');
    const npm = spawnSync('npm', ['install', '--prefix', staging, '--no-audit', '--no-fund', '--loglevel=error', 'node@22', `oauth2-mock-server@${OMS_RANGE}`], {
      cwd: staging,
      env: installEnvironment(),
      encoding: 'utf8',
      timeout: 10 * 60_000,
    });
    if (npm.error) throw new Error(`npm could not be run: ${npm.error.message}`);
    if (npm.status !== 0) {
      // npm's own account runs to dozens of lines; its error code and summary say what happened.
      const lines = `${npm.stderr}\n${npm.stdout}`.split('\n').map((line) => /^npm (?:error|ERR!) (.*)$/.exec(line)?.[1]?.trim() ?? '');
      const code = lines.find((line) => line.startsWith('code '));
      const summary = lines.find((line) => line.length > 20 && !/^(code|errno|syscall|A complete log) |^[{}]|^\w+: '/.test(line));
      const said = [code, summary].filter(Boolean).join('; ');
      throw new Error(`npm install exited with ${npm.status ?? npm.signal}${said ? ` (${said})` : ''}`);
    }
    if (!locate(staging)) throw new Error('npm installed them, but no Node 22 binary runs (node@22 fetches it from an install script: are scripts disabled?)');
    // Another run may have finished first: its install is as good as this one.
    if (!locate(installDir)) {
      await rm(installDir, { recursive: true, force: true });
      await rename(staging, installDir);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const installed = locate(installDir);
  if (!installed) throw new Error(`the install in ${shown(installDir)} is not usable`);
  return installed;
}

// ---------------------------------------------------------------------------------------------
// Servers.

interface Target {
  authorize: string;
  token: string;
  clientId: string;
  redirectUri: string;
  resource: string;
}

interface Running {
  pid: number;
  target: Target;
  stop(): Promise<void>;
}

interface Server {
  label: string;
  kind: 'kit' | 'oauth2-mock-server';
  short: string;
  /** Ratios compare servers on one Node only: a runtime's difference is not the server's. */
  nodeVersion: string;
  start(): Promise<Running>;
}

/** A server process on its core, ready once `ready` makes something of a line of its stdout. */
function startProcess<T>(command: string[], pinning: Pinning, ready: (line: string) => T | undefined): Promise<{ child: ChildProcess; value: T }> {
  const [file, ...args] = [...pinning.prefix, ...command];
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 30 s'), 30_000);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command.join(' ')}: ${why}${stderr ? `\n${stderr.trim()}` : ''}`));
    };
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const value = ready(line);
      if (value === undefined) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.once('exit', () => children.delete(child));
      lines.close();
      child.stdout!.resume();
      resolve({ child, value });
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// Never contacted: the load generator reads the code from the Location header.
const REDIRECT_URI = 'http://127.0.0.1/callback';

function kitServer(node: string, version: string, pinning: Pinning): Server {
  return {
    label: `kit, Node ${version}`,
    kind: 'kit',
    short: `kit (Node ${version})`,
    nodeVersion: version,
    async start() {
      const { child, value: facts } = await startProcess([node, join(benchDist, 'mock-world-process.js')], pinning, (line) =>
        line.startsWith('{') ? (JSON.parse(line) as { endpoints: { authorize: string; token: string }; canonicalResource: string; preRegistered: { client_id: string } }) : undefined,
      );
      return {
        pid: child.pid!,
        target: { authorize: facts.endpoints.authorize, token: facts.endpoints.token, clientId: facts.preRegistered.client_id, redirectUri: REDIRECT_URI, resource: facts.canonicalResource },
        stop: () => stopProcess(child),
      };
    },
  };
}

function oauthMockServer(oms: OauthMockServer, keyFile: string | undefined, pinning: Pinning): Server {
  return {
    label: `oauth2-mock-server ${oms.version}, ${keyFile ? 'ES256 key' : 'default RS256 key'}, Node ${oms.nodeVersion}`,
    kind: 'oauth2-mock-server',
    short: `oauth2-mock-server ${keyFile ? 'ES256' : 'RS256'}`,
    nodeVersion: oms.nodeVersion,
    async start() {
      const args = ['-a', '127.0.0.1', '-p', '0', ...(keyFile ? ['--jwk', keyFile] : [])];
      const { child, value: origin } = await startProcess([oms.node, oms.cli, ...args], pinning, (line) => /listening on (http:\/\/\S+)/.exec(line)?.[1]);
      return {
        pid: child.pid!,
        target: { authorize: `${origin}/authorize`, token: `${origin}/token`, clientId: 'bench-client', redirectUri: REDIRECT_URI, resource: `${origin}/mcp` },
        stop: () => stopProcess(child),
      };
    },
  };
}

/** The key the kit signs with (ES256), for oauth2-mock-server, whose own default is RS256. */
async function es256KeyFile(dir: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(dir, 'bench-es256.json');
  await writeFile(file, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' }));
  return file;
}

// ---------------------------------------------------------------------------------------------
// The load generator: what a client does for a token.

interface Reply {
  status: number;
  location?: string;
  body: string;
}

function send(agent: http.Agent, method: 'GET' | 'POST', url: URL, form?: URLSearchParams): Promise<Reply> {
  const body = form?.toString();
  const headers = body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, headers }, (response) => {
      let data = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (data += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body: data }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function unexpected(step: string, reply: Reply): Error {
  return new Error(`${step}: unexpected answer ${reply.status} ${reply.location ?? ''} ${reply.body.slice(0, 300)}`);
}

interface Code {
  code: string;
  verifier: string;
}

async function authorize(target: Target, agent: http.Agent): Promise<Code> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(target.authorize);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    resource: target.resource,
  }).toString();
  const reply = await send(agent, 'GET', url);
  const back = reply.status === 302 && reply.location ? new URL(reply.location) : undefined;
  const code = back?.searchParams.get('code');
  if (!code || back?.searchParams.get('state') !== state) throw unexpected('authorization', reply);
  return { code, verifier };
}

async function tokenRequest(target: Target, agent: http.Agent, grant: Record<string, string>): Promise<string> {
  const form = new URLSearchParams({ ...grant, client_id: target.clientId, resource: target.resource });
  const reply = await send(agent, 'POST', new URL(target.token), form);
  if (reply.status !== 200 || !reply.body.includes('"access_token"')) throw unexpected(`token (${grant.grant_type})`, reply);
  return reply.body;
}

const redeem = (target: Target, agent: http.Agent, { code, verifier }: Code) =>
  tokenRequest(target, agent, { grant_type: 'authorization_code', code, redirect_uri: target.redirectUri, code_verifier: verifier });

const refresh = (target: Target, agent: http.Agent, refreshToken: string) => tokenRequest(target, agent, { grant_type: 'refresh_token', refresh_token: refreshToken });

/** Runs `task` with `concurrency` in flight while `more(i)` holds for the next one's index. */
async function drive(more: (i: number) => boolean, task: (i: number) => Promise<unknown>): Promise<{ count: number; ms: number }> {
  let claimed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more(claimed)) await task(claimed++);
    }),
  );
  return { count: claimed, ms: performance.now() - start };
}

const forMs = (ms: number) => {
  const end = performance.now() + ms;
  return () => performance.now() < end;
};

const TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds a process has used (all its threads), from /proc; NaN where there is no /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

interface Phase {
  perSecond: number;
  /** Requests per CPU-second the server spent: what its core would serve were it the server's alone. */
  perCpuSecond: number;
  /** Share of a core the server used, and the load generator: below ~90%, something else set the pace. */
  serverBusy: number;
  generatorBusy: number;
}

async function timed(pid: number, run: () => Promise<{ count: number; ms: number }>): Promise<Phase> {
  const serverBefore = cpuSeconds(pid);
  const generatorBefore = process.cpuUsage();
  const { count, ms } = await run();
  const generator = process.cpuUsage(generatorBefore);
  const serverCpu = cpuSeconds(pid) - serverBefore;
  return {
    perSecond: count / (ms / 1000),
    perCpuSecond: count / serverCpu,
    serverBusy: serverCpu / (ms / 1000),
    generatorBusy: (generator.user + generator.system) / 1000 / ms,
  };
}

interface Figures {
  flows: Phase;
  tokens: Phase;
  refreshes: Phase;
}

async function measure(server: Server): Promise<Figures> {
  const running = await server.start();
  const { target, pid } = running;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const flow = async () => redeem(target, agent, await authorize(target, agent));
    await drive(forMs(warmupMs), flow);
    const flows = await timed(pid, () => drive(forMs(phaseMs), flow));

    // A token POST costs less than a flow: twice the flow rate's worth of codes lasts about a phase.
    const wanted = Math.max(500, Math.ceil(flows.perSecond * 2 * (phaseMs / 1000)));
    const codes: Code[] = [];
    await drive((i) => i < wanted, async (i) => (codes[i] = await authorize(target, agent)));
    const tokens = await timed(pid, () => drive((i) => i < wanted, (i) => redeem(target, agent, codes[i])));

    const refreshToken = (JSON.parse(await flow()) as { refresh_token?: string }).refresh_token;
    if (!refreshToken) throw new Error(`${server.label}: no refresh token issued`);
    const again = () => refresh(target, agent, refreshToken);
    await drive(forMs(warmupMs), again);
    const refreshes = await timed(pid, () => drive(forMs(phaseMs), again));
    return { flows, tokens, refreshes };
  } finally {
    agent.destroy();
    await running.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Rounds and the table.

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const percent = (x: number) => (Number.isNaN(x) ? '?' : `${Math.round(x * 100)}%`);
const PHASES = ['flows', 'tokens', 'refreshes'] as const;
const HEADINGS = { flows: 'full flows/s', tokens: 'token POST/s', refreshes: 'refresh POST/s' };

console.log(`mock token endpoint benchmark: ${concurrency} requests in flight, ${warmupMs / 1000} s warm-up, ${phaseMs / 1000} s phases, ${rounds} rounds (medians)`);
console.log(`  load average at start: ${loadAverage()}`);
const pinning = pin();
console.log(`  ${pinning.note}`);

const servers: Server[] = [];
let oms: OauthMockServer | undefined;
try {
  oms = await installOauthMockServer();
} catch (error) {
  console.log(`oauth2-mock-server not measured: ${error instanceof Error ? error.message : String(error)}; measuring the kit alone`);
}
if (oms) {
  const keyFile = await es256KeyFile(installDir);
  servers.push(kitServer(oms.node, oms.nodeVersion, pinning), oauthMockServer(oms, keyFile, pinning));
}
servers.push(kitServer(process.execPath, process.version, pinning));
if (oms) servers.push(oauthMockServer(oms, undefined, pinning));

console.log(`  kit: mocks/ world (MSW handlers), a pre-registered public client; per token request one ES256 JWT signed (jose), code, client,`);
console.log(`       redirect URI, PKCE S256 verifier and resource checked, refresh family kept; every exchange recorded in the trace`);
if (oms) {
  console.log(`  oauth2-mock-server ${oms.version} (its CLI on Node ${oms.nodeVersion}): per code or refresh grant two JWTs signed (access token and`);
  console.log(`       id_token), the private JWK imported for each; PKCE checked when a code_verifier is sent; no client, redirect URI or resource check`);
}

const results = new Map<Server, Figures[]>(servers.map((server) => [server, []]));
let failed = false;
try {
  for (let round = 0; round < rounds; round++) {
    // Reversed every other round, so no server always runs first or last.
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
      const figures = await measure(server);
      results.get(server)!.push(figures);
      const line = PHASES.map((p) => `${HEADINGS[p]} ${figures[p].perSecond.toFixed(0)} (${figures[p].perCpuSecond.toFixed(0)} per CPU-s; server ${percent(figures[p].serverBusy)}, generator ${percent(figures[p].generatorBusy)})`);
      console.log(`  round ${round + 1}, ${server.label}: ${line.join('; ')}`);
    }
  }
} catch (error) {
  failed = true;
  console.error(`benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
}

if (!failed) {
  const width = Math.max(...servers.map((s) => s.label.length), 48) + 2;
  const row = (label: string, cells: string[]) => console.log(label.padEnd(width) + cells.map((c) => c.padStart(16)).join(''));
  const table = (title: string, figure: 'perSecond' | 'perCpuSecond') => {
    const medians = new Map(servers.map((server) => [server, Object.fromEntries(PHASES.map((p) => [p, median(results.get(server)!.map((f) => f[p][figure]))]))]));
    console.log('');
    row(title, PHASES.map((p) => HEADINGS[p]));
    for (const server of servers) row(server.label, PHASES.map((p) => medians.get(server)![p].toFixed(0)));
    for (const kit of servers.filter((s) => s.kind === 'kit')) {
      for (const other of servers.filter((s) => s.kind !== 'kit' && s.nodeVersion === kit.nodeVersion)) {
        row(`  ratio ${kit.short} / ${other.short}`, PHASES.map((p) => (medians.get(kit)![p] / medians.get(other)![p]).toFixed(2)));
      }
    }
  };
  table('requests per second, server on one core', 'perSecond');
  // A loaded machine takes some of the server's core away; per CPU-second it is judged on its own work.
  if (!Number.isNaN(results.get(servers[0])![0].flows.perCpuSecond)) table('requests per CPU-second of the server', 'perCpuSecond');
  const unsaturated = [...results.values()].flat().some((f) => PHASES.some((p) => f[p].serverBusy < 0.9));
  if (unsaturated) console.log('note: in some phase a server had less than 90% of its core: other processes on that core, or the load generator, set the pace there');
}
console.log(`  load average at end: ${loadAverage()}`);
killAll();
process.exitCode = failed ? 1 : 0;

// The mock world answered in the test's own process: no listener, the same core and handlers as the
// loopback world, the same recording. msw, nock and test-runner fixtures hand it their requests.
import type { Exchange } from '../core/trace.js';
import { answerRecorded } from './answer.js';
import type { WorldKnobs } from './knobs.js';
import { TraceRecorder } from './recorder.js';
import { createWorldCore, type WorldControls, type WorldServer } from './world-core.js';

export interface InProcessWorldOptions {
  /** Where exchanges are recorded (a fresh recorder when absent). */
  recorder?: TraceRecorder;
  /**
   * The origin of each server. Nothing listens there: requests reach the world only through an
   * interceptor. Default: loopback origins on ports no other in-process world of this process uses,
   * so that several worlds can be intercepted at once.
   */
  origins?: Partial<Record<WorldServer, string>>;
}

export interface InProcessWorld extends WorldControls {
  readonly recorder: TraceRecorder;
  /** The origins the world answers for, so far (a second authorization server adds one). */
  origins(): string[];
  /**
   * The origins of every server the world may ever have (rs, as, as2), fixed at creation: what an
   * interceptor that is set up once (nock) must cover before a reconfiguration brings in the
   * second authorization server.
   */
  allOrigins(): string[];
  /** Whether a URL is the world's to answer. */
  owns(url: string | URL): boolean;
  /**
   * Answers a request as the world's servers would over HTTP, and records the exchange under `actor`
   * (default: the current actor). A URL the world does not own is an error: the interceptor asks first.
   */
  answer(request: Request, actor?: string): Promise<Response>;
  /** Who requests are recorded as when no actor is named (`client-1`); successive runs number their client. */
  actor: string;
}

// Ports of made-up origins: far from the ephemeral range and from common development servers.
const FIRST_PORT = 39_100;
let worldsMade = 0;

function defaultOrigins(): Record<WorldServer, string> {
  const base = FIRST_PORT + (worldsMade++ % 300) * 3;
  return { rs: `http://localhost:${base}`, as: `http://localhost:${base + 1}`, as2: `http://localhost:${base + 2}` };
}

export async function createInProcessWorld(knobs: WorldKnobs, options: InProcessWorldOptions = {}): Promise<InProcessWorld> {
  const recorder = options.recorder ?? new TraceRecorder();
  const chosen = { ...defaultOrigins(), ...options.origins };
  const fixed = { rs: new URL(chosen.rs).origin, as: new URL(chosen.as).origin, as2: new URL(chosen.as2).origin };
  const core = await createWorldCore(knobs, async (server) => fixed[server]);
  const serverAt = (origin: string): WorldServer | undefined => [...core.origins].find(([, o]) => o === origin)?.[0];
  let actor = 'client-1';

  return {
    get facts() {
      return core.facts;
    },
    get knobs() {
      return core.knobs;
    },
    recorder,
    get actor() {
      return actor;
    },
    set actor(next: string) {
      actor = next;
    },
    origins: () => [...new Set(core.origins.values())],
    allOrigins: () => [...new Set(Object.values(fixed))],
    owns: (url) => serverAt(new URL(url).origin) !== undefined,
    async answer(request, who = actor) {
      const server: Exchange['server'] | undefined = serverAt(new URL(request.url).origin);
      if (server === undefined) throw new Error(`${request.url} is not a URL of this mock world`);
      const at = recorder.now();
      const body = new Uint8Array(await request.clone().arrayBuffer());
      const answered = await answerRecorded(
        { handlers: core.handlers(), recorder, server, role: core.roleOf(new URL(request.url)), actor: who, at },
        request,
        body,
      );
      return new Response(request.method === 'HEAD' || answered.payload.length === 0 ? null : (answered.payload as Uint8Array<ArrayBuffer>), {
        status: answered.response.status,
        statusText: answered.response.statusText,
        headers: answered.response.headers,
      });
    },
    use: (...handlers) => core.use(...handlers),
    resetHandlers: () => core.resetHandlers(),
    expireAccessTokens: () => core.expireAccessTokens(),
    revokeRefreshTokens: (token) => core.revokeRefreshTokens(token),
    rotateSigningKeys: (withdraw) => core.rotateSigningKeys(withdraw),
    reconfigure: (next) => core.reconfigure(next),
  };
}

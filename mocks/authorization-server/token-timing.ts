// Timing and faults of the token endpoint, each its own MSW handler placed in front of it: a
// handler either answers (a fault) or waits and falls through (latency, the barrier), so the
// token endpoint itself never knows about any of them, and a failed request consumes nothing.
import { http, HttpResponse } from 'msw';
import type { TokenFault } from '../knobs.js';
import type { AuthorizationServerState } from './state.js';

/** The grant a token request asks for, read from a copy so the handlers behind still see the body. */
async function grantTypeOf(request: Request): Promise<string | null> {
  return new URLSearchParams(await request.clone().text()).get('grant_type');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Counts every token request (its index is the world-life count `tokenLatencyMs` refers to) and
 * delays the i-th by `delays[i]` ms. Always installed, even without delays, so that the index
 * stays right when a later reconfiguration adds some.
 */
export function tokenLatency(url: string, state: AuthorizationServerState, delays: number[] = []) {
  return http.post(url, async () => {
    const index = state.tokenRequests++;
    const delay = delays[index] ?? 0;
    if (delay > 0) await sleep(delay);
    return undefined;
  });
}

/** How long the barrier waits for the rest of its group before letting the ones present through. */
export const BARRIER_TIMEOUT_MS = 2000;
/**
 * Gap between releasing two held requests. Everything the token endpoint does before signing the
 * access token (parse, authenticate, judge, rotate) runs without timers, so this gap is enough for
 * each request to finish its state change before the next one starts: arrival order is kept.
 */
const RELEASE_GAP_MS = 5;

export interface BarrierMemory {
  waiting: Array<() => void>;
  timer?: ReturnType<typeof setTimeout>;
}

export function newBarrierMemory(): BarrierMemory {
  return { waiting: [] };
}

async function release(memory: BarrierMemory): Promise<void> {
  clearTimeout(memory.timer);
  memory.timer = undefined;
  // Later arrivals form the next group.
  const group = memory.waiting.splice(0);
  for (const [i, resume] of group.entries()) {
    if (i > 0) await sleep(RELEASE_GAP_MS);
    resume();
  }
}

/**
 * Holds refresh requests until `size` of them are waiting (or BARRIER_TIMEOUT_MS passed since the
 * first), then lets them through in arrival order: racing client copies are forced to overlap at
 * the server however the scheduler ran them (the vercel/ai#20674 repro).
 */
export function refreshBarrier(url: string, size: number, memory: BarrierMemory) {
  return http.post(url, async ({ request }) => {
    if ((await grantTypeOf(request)) !== 'refresh_token') return undefined;
    const held = new Promise<void>((resume) => memory.waiting.push(resume));
    if (memory.waiting.length >= size) void release(memory);
    else if (memory.timer === undefined) {
      memory.timer = setTimeout(() => void release(memory), BARRIER_TIMEOUT_MS);
      // A world closed with requests still held must not keep the process alive. In a browser
      // (msw's setupWorker) a timer is a number, with nothing to unref.
      if (typeof memory.timer === 'object') memory.timer.unref();
    }
    await held;
    return undefined;
  });
}

// Node's own phrases (http.STATUS_CODES) for the statuses a fault may have, spelled out because
// node:http does not exist where the in-process world may run (a browser).
const REASON_PHRASES: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  509: 'Bandwidth Limit Exceeded',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/** A 5xx or 429 in place of an answer; a 429 carries Retry-After (seconds). */
export function faultResponse(status: number, retryAfterSeconds = 1): Response {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' };
  if (status === 429) headers['Retry-After'] = String(retryAfterSeconds);
  // Plain text, as a gateway or rate limiter in front of the server would answer: not an OAuth error.
  return new HttpResponse(`${status} ${REASON_PHRASES[status] ?? 'Error'}`, { status, headers });
}

/** Requests each fault has answered so far, by index in the knob's list. */
export type FaultBudgets = number[];

/** The first `count` matching token requests of each fault get its status instead of an answer. */
export function tokenFaults(url: string, faults: TokenFault[], spent: FaultBudgets) {
  return http.post(url, async ({ request }) => {
    const grant = await grantTypeOf(request);
    for (const [i, fault] of faults.entries()) {
      if ((spent[i] ?? 0) >= fault.count) continue;
      if (fault.grant !== undefined && fault.grant !== grant) continue;
      spent[i] = (spent[i] ?? 0) + 1;
      return faultResponse(fault.status);
    }
    return undefined;
  });
}

// The kit's side of every exchange with a target that listens (an MCP server, an authorization
// server): requests sent exactly as a scenario shapes them (repeated headers, odd casing and
// whitespace included, which fetch would normalise away), each recorded in the scenario's trace with
// the label that says what it was for.
import http from 'node:http';
import https from 'node:https';
import type { TraceRecorder } from '../../mocks/recorder.js';
import type { Actor, EndpointRole, Exchange, RecordedResponse } from '../trace.js';

/** The actor of the kit's own requests to a server under test. */
export const KIT_ACTOR = 'kit';

/** The largest response body kept in the trace; a server answering megabytes is cut short in the report, not in the verdict. */
const BODY_LIMIT = 256 * 1024;

const INTERRUPTED = 'the run was interrupted';

export interface ProbeRequest {
  method?: string;
  /** The MCP URL when absent. */
  url?: string;
  /** An array sends the header once per value, in order. */
  headers?: Record<string, string | string[]>;
  body?: string;
  role?: EndpointRole;
}

export interface ProbeResult {
  exchange: Exchange;
  /** Absent when no answer came (the exchange's `error` says why). */
  response?: RecordedResponse;
  /** Each Set-Cookie line apart: the recorded header joins them with ", ", which cookie dates contain too. */
  setCookies?: string[];
}

export interface HeldRequest {
  label: string;
  /** Must have a body of at least one byte (a token request is a form POST): its last byte is the one held back. */
  request: ProbeRequest;
  /** Released this long after the common release instant (drawn by a property test); default 0. */
  offsetMs?: number;
}

export interface TogetherResult extends ProbeResult {
  /**
   * Milliseconds (recorder clock, like Exchange.at) when its last byte was written; for a request that
   * failed before, when it would have been.
   */
  releasedAt: number;
}

export interface ProbeOptions {
  /** Where a request without its own URL goes. */
  baseUrl: string;
  /** Which endpoint of the target a URL is, for requests that do not say. */
  roleOf: (url: URL) => EndpointRole;
  /** Recorded as the exchanges' actor; the kit's own by default. */
  actor?: Actor;
  /** How long one request may take before it counts as unanswered. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export class Probe {
  /** Requests in flight, ended together when the run is stopped (one listener, however many requests a burst sends). */
  private readonly inFlight = new Set<http.ClientRequest>();

  /** Ends what is in flight; listening only while something is, since a run makes a probe per scenario and case on one signal. */
  private readonly abortInFlight = (): void => {
    for (const request of this.inFlight) request.destroy(new Error(INTERRUPTED));
  };

  constructor(
    private readonly recorder: TraceRecorder,
    readonly options: ProbeOptions,
  ) {}

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Sends one request and records it under `label`; never rejects (a failure is recorded as the exchange's error). */
  async send(label: string, request: ProbeRequest = {}): Promise<ProbeResult> {
    const addressed = this.address(label, request);
    const clock = this.stamp();
    const flight = this.open(addressed);
    flight.outgoing?.end(request.body);
    return this.record(addressed, clock, await flight.outcome);
  }

  /**
   * Opens one connection per request, sends each request but the last byte of its body, waits until every
   * one has been written to its socket, then writes every last byte at once (plus each one's offset).
   * Rejects only for a request without a body or with a URL that does not parse, before opening any
   * connection; otherwise, like `send`, a request that fails is recorded with its error, and does not
   * keep the others back.
   */
  async sendTogether(requests: HeldRequest[]): Promise<TogetherResult[]> {
    const bodiless = requests.find(({ request }) => !request.body);
    if (bodiless) throw new TypeError(`${bodiless.label}: only a request with a body can be held back by its last byte`);
    // Every URL parsed before any connection opens, so that a bad one leaves none of them waiting for its last byte.
    const addresses = requests.map(({ label, request }) => this.address(label, request));
    const held = requests.map(({ request, offsetMs = 0 }, index) => {
      const addressed = addresses[index];
      // Bytes, not characters: the byte held back may be half of a multi-byte character.
      const body = Buffer.from(request.body ?? '', 'utf8');
      const flight = this.open(addressed);
      const written = new Promise<void>((resolve) => {
        // A connection refused or reset is not waited for, nor is a server that answered before the end.
        void flight.outcome.then(() => resolve());
        flight.outgoing?.write(body.subarray(0, -1), () => resolve());
      });
      return { addressed, body, flight, offsetMs, written };
    });
    await Promise.all(held.map(({ written }) => written));
    await settle(held.length);
    const release = ({ flight, body }: (typeof held)[number]): void => {
      if (!flight.outgoing || flight.outgoing.destroyed) return;
      // The target's time to answer counts from here: how long the others took to be written is not its doing.
      flight.restartClock();
      flight.outgoing.end(body.subarray(-1));
    };
    // One synchronous loop, so that nothing of this process (a server in it included) runs between two last bytes.
    for (const item of held) if (item.offsetMs <= 0) release(item);
    const together = this.stamp();
    const clocks = held.map((item) =>
      item.offsetMs <= 0
        ? together
        : new Promise<Clock>((resolve) =>
            setTimeout(() => {
              release(item);
              resolve(this.stamp());
            }, item.offsetMs),
          ),
    );
    return Promise.all(
      held.map(async ({ addressed, flight }, index) => {
        const clock = await clocks[index];
        return { ...this.record(addressed, clock, await flight.outcome), releasedAt: clock.at };
      }),
    );
  }

  private address(label: string, request: ProbeRequest): Addressed {
    return { label, request, url: new URL(request.url ?? this.options.baseUrl), method: request.method ?? 'GET' };
  }

  private stamp(): Clock {
    return { at: this.recorder.now(), started: performance.now() };
  }

  private record({ label, request, url, method }: Addressed, { at, started }: Clock, outcome: Outcome): ProbeResult {
    const recordedHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) recordedHeaders[name.toLowerCase()] = [value].flat().join(', ');
    const response = 'response' in outcome ? outcome.response : undefined;
    const setCookies = 'response' in outcome ? outcome.setCookies : [];
    const exchange = this.recorder.exchange({
      at,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      actor: this.options.actor ?? KIT_ACTOR,
      server: 'target',
      role: request.role ?? this.options.roleOf(url),
      label,
      request: { method, url: url.href, headers: recordedHeaders, ...(request.body !== undefined ? { body: request.body } : {}) },
      ...(response ? { response } : {}),
      ...('error' in outcome ? { error: outcome.error } : {}),
    });
    return { exchange, ...(response ? { response } : {}), ...(setCookies.length > 0 ? { setCookies } : {}) };
  }

  /** Connects and sets the headers; the caller writes the body, and when. */
  private open({ request, url, method }: Addressed): Flight {
    if (this.options.signal?.aborted) return unopened(INTERRUPTED);
    let outgoing: http.ClientRequest | undefined;
    try {
      outgoing = (url.protocol === 'https:' ? https : http).request(url, { method, agent: false });
      // A scenario may send a header value Node refuses (a control character, say): that is the exchange's error, not the run's.
      for (const [name, value] of Object.entries(request.headers ?? {})) outgoing.setHeader(name, value);
      if (request.body !== undefined) outgoing.setHeader('content-length', Buffer.byteLength(request.body));
    } catch (failure) {
      outgoing?.destroy();
      return unopened((failure as Error).message);
    }
    if (this.inFlight.size === 0) this.options.signal?.addEventListener('abort', this.abortInFlight, { once: true });
    this.inFlight.add(outgoing);
    outgoing.once('close', () => {
      this.inFlight.delete(outgoing);
      if (this.inFlight.size === 0) this.options.signal?.removeEventListener('abort', this.abortInFlight);
    });
    const timer = setTimeout(() => outgoing.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    const outcome = new Promise<Outcome>((resolve) => {
      const fail = (failure: Error) => resolve({ error: failure.message });
      // Not `once`: a socket can still fail after the answer came (a held byte written to a closed
      // connection), and an error without a listener would end the whole run.
      outgoing.on('error', fail);
      outgoing.once('response', (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= BODY_LIMIT) chunks.push(chunk);
        });
        incoming.on('error', fail);
        incoming.once('end', () => resolve(answered(incoming, chunks)));
      });
    }).finally(() => clearTimeout(timer));
    return { outgoing, outcome, restartClock: () => void timer.refresh() };
  }
}

interface Addressed {
  label: string;
  request: ProbeRequest;
  url: URL;
  method: string;
}

/** When a request left: `at` on the recorder's clock for the trace, `started` to time the answer. */
interface Clock {
  at: number;
  started: number;
}

type Outcome = { response: RecordedResponse; setCookies: string[] } | { error: string };

interface Flight {
  /** Absent when the request could not be opened (the run was stopped, Node refused a header). */
  outgoing?: http.ClientRequest;
  /** Never rejects: a failure is an outcome like an answer. */
  outcome: Promise<Outcome>;
  /** Gives the target the probe's whole timeout again, counted from now. */
  restartClock(): void;
}

function unopened(error: string): Flight {
  return { outcome: Promise.resolve({ error }), restartClock: () => undefined };
}

function answered(incoming: http.IncomingMessage, chunks: Buffer[]): Outcome {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers[name] = [value].flat().join(', ');
  // Node folds repeated challenges into one string; the raw lines keep them apart for the grammar checks.
  const challenges = rawValues(incoming.rawHeaders, 'www-authenticate');
  if (challenges.length > 1) headers['www-authenticate'] = challenges.join(', ');
  const body = Buffer.concat(chunks).toString('utf8');
  const response = { status: incoming.statusCode ?? 0, headers, ...(body.length > 0 ? { body } : {}) };
  return { response, setCookies: rawValues(incoming.rawHeaders, 'set-cookie') };
}

/**
 * The held bytes are in this machine's kernel but not yet read by the server. Node accepts one connection
 * per turn of its event loop and reads it on the next, so a server in this process parses every request's
 * headers within `connections + 1` turns of this loop; a server in another process does when it is next
 * scheduled, which the few milliseconds after are for. Then the last bytes are all the server still waits
 * for. No verdict hangs on this being long enough: a server that has not read the headers by the release
 * finds those requests whole in its buffers at once, released as much together as the others, only with
 * their header parsing inside the window.
 */
async function settle(connections: number): Promise<void> {
  for (let turn = 0; turn < connections + 2; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setTimeout(resolve, 5));
}

function rawValues(raw: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) values.push(raw[i + 1]);
  return values;
}

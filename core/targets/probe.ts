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

  constructor(
    private readonly recorder: TraceRecorder,
    readonly options: ProbeOptions,
  ) {
    options.signal?.addEventListener('abort', () => {
      for (const request of this.inFlight) request.destroy(new Error('the run was interrupted'));
    }, { once: true });
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Sends one request and records it under `label`; never rejects (a failure is recorded as the exchange's error). */
  async send(label: string, request: ProbeRequest = {}): Promise<ProbeResult> {
    const url = new URL(request.url ?? this.options.baseUrl);
    const method = request.method ?? 'GET';
    const at = this.recorder.now();
    const started = performance.now();
    const recordedHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) recordedHeaders[name.toLowerCase()] = [value].flat().join(', ');
    let response: RecordedResponse | undefined;
    let setCookies: string[] = [];
    let error: string | undefined;
    try {
      ({ response, setCookies } = await this.roundTrip(url, method, request));
    } catch (failure) {
      error = (failure as Error).message;
    }
    const exchange = this.recorder.exchange({
      at,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      actor: this.options.actor ?? KIT_ACTOR,
      server: 'target',
      role: request.role ?? this.options.roleOf(url),
      label,
      request: { method, url: url.href, headers: recordedHeaders, ...(request.body !== undefined ? { body: request.body } : {}) },
      ...(response ? { response } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    return { exchange, ...(response ? { response } : {}), ...(setCookies.length > 0 ? { setCookies } : {}) };
  }

  private roundTrip(url: URL, method: string, request: ProbeRequest): Promise<{ response: RecordedResponse; setCookies: string[] }> {
    return new Promise((resolve, reject) => {
      if (this.options.signal?.aborted) return reject(new Error('the run was interrupted'));
      const outgoing = (url.protocol === 'https:' ? https : http).request(url, { method, agent: false });
      this.inFlight.add(outgoing);
      outgoing.once('close', () => this.inFlight.delete(outgoing));
      for (const [name, value] of Object.entries(request.headers ?? {})) outgoing.setHeader(name, value);
      if (request.body !== undefined) outgoing.setHeader('content-length', Buffer.byteLength(request.body));
      const timer = setTimeout(() => outgoing.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      outgoing.once('error', (failure) => {
        clearTimeout(timer);
        reject(failure);
      });
      outgoing.once('response', (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= BODY_LIMIT) chunks.push(chunk);
        });
        incoming.once('error', (failure) => {
          clearTimeout(timer);
          reject(failure);
        });
        incoming.once('end', () => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(incoming.headers)) if (value !== undefined) headers[name] = [value].flat().join(', ');
          // Node folds repeated challenges into one string; the raw lines keep them apart for the grammar checks.
          const challenges = rawValues(incoming.rawHeaders, 'www-authenticate');
          if (challenges.length > 1) headers['www-authenticate'] = challenges.join(', ');
          const body = Buffer.concat(chunks).toString('utf8');
          const response = { status: incoming.statusCode ?? 0, headers, ...(body.length > 0 ? { body } : {}) };
          resolve({ response, setCookies: rawValues(incoming.rawHeaders, 'set-cookie') });
        });
      });
      outgoing.end(request.body);
    });
  }
}

function rawValues(raw: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) values.push(raw[i + 1]);
  return values;
}

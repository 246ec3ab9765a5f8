// The kit's side of every exchange with a server under test: requests sent exactly as a scenario
// shapes them (repeated headers, odd casing and whitespace included, which fetch would normalise
// away), each recorded in the scenario's trace with the label that says what it was for.
import http from 'node:http';
import type { TraceRecorder } from '../../../mocks/recorder.js';
import type { EndpointRole, Exchange, RecordedResponse } from '../../trace.js';

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
  /** The JSON-RPC message of the body: parsed JSON, or the last `data:` of an event stream. */
  message?: JsonRpcReply;
}

export interface JsonRpcReply {
  jsonrpc: '2.0';
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string };
}

/** The JSON-RPC answer in a response body, as JSON or as the last message of an SSE stream. */
export function jsonRpcReply(response: RecordedResponse | undefined): JsonRpcReply | undefined {
  const body = response?.body;
  if (!body) return undefined;
  const type = response.headers['content-type'] ?? '';
  const candidates = type.includes('text/event-stream')
    ? body
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .reverse()
    : [body];
  for (const text of candidates) {
    try {
      const value = JSON.parse(text) as unknown;
      // An OAuth error body ({"error":"invalid_token"}) is JSON too, but not JSON-RPC.
      if (value && typeof value === 'object' && (value as { jsonrpc?: unknown }).jsonrpc === '2.0') return value as JsonRpcReply;
    } catch {
      // not JSON: the server answered something else, which the checks judge from the raw body
    }
  }
  return undefined;
}

export interface ProbeOptions {
  mcpUrl: string;
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

  get mcpUrl(): string {
    return this.options.mcpUrl;
  }

  /** Sends one request and records it under `label`; never rejects (a failure is recorded as the exchange's error). */
  async send(label: string, request: ProbeRequest = {}): Promise<ProbeResult> {
    const url = new URL(request.url ?? this.options.mcpUrl);
    const method = request.method ?? 'GET';
    const at = this.recorder.now();
    const started = performance.now();
    const recordedHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) recordedHeaders[name.toLowerCase()] = [value].flat().join(', ');
    let response: RecordedResponse | undefined;
    let error: string | undefined;
    try {
      response = await this.roundTrip(url, method, request);
    } catch (failure) {
      error = (failure as Error).message;
    }
    const exchange = this.recorder.exchange({
      at,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      actor: KIT_ACTOR,
      server: 'target',
      role: request.role ?? roleOf(url, this.options.mcpUrl),
      label,
      request: { method, url: url.href, headers: recordedHeaders, ...(request.body !== undefined ? { body: request.body } : {}) },
      ...(response ? { response } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    const message = jsonRpcReply(response);
    return { exchange, ...(response ? { response } : {}), ...(message ? { message } : {}) };
  }

  private roundTrip(url: URL, method: string, request: ProbeRequest): Promise<RecordedResponse> {
    return new Promise((resolve, reject) => {
      if (this.options.signal?.aborted) return reject(new Error('the run was interrupted'));
      const outgoing = http.request(url, { method, agent: false });
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
          resolve({ status: incoming.statusCode ?? 0, headers, ...(body.length > 0 ? { body } : {}) });
        });
      });
      outgoing.end(request.body);
    });
  }
}

/** The MCP endpoint whatever its query says; the PRM by its well-known path. */
function roleOf(url: URL, mcpUrl: string): EndpointRole {
  const mcp = new URL(mcpUrl);
  if (url.origin === mcp.origin && url.pathname === mcp.pathname) return 'mcp';
  return url.pathname.startsWith('/.well-known/oauth-protected-resource') ? 'prm' : 'unknown';
}

function rawValues(raw: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === name) values.push(raw[i + 1]);
  return values;
}

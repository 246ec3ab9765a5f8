// Faults injected into a running mock (POST /faults): the next requests to an endpoint role get a
// 5xx or a 429, or wait first. One MSW handler in front of the mock's own, so the endpoints behind
// never know, and a request answered with a fault consumes nothing there.
import { http, type RequestHandler } from 'msw';
import { faultResponse } from './authorization-server/token-timing.js';
import { choice, integer, isMapping, mistake, optional, readFields, required, shown, type Knob } from './knob-schema.js';
import type { EndpointRole } from '../core/trace.js';

export interface FaultSpec {
  role: EndpointRole;
  /** 429 or a 5xx in place of the answer. */
  status?: number;
  /** Milliseconds the request waits before it is answered (by the fault's status, or as usual). */
  latencyMs?: number;
  /** How many requests of the role it applies to (default 1). */
  count: number;
  /** Retry-After of a 429, in seconds (default 1). */
  retryAfter?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  /** Requests it still applies to. */
  remaining: number;
}

const faultStatus: Knob<number> = {
  expected: '429 or a status from 500 to 599',
  read(value, path, mistakes) {
    const fits = typeof value === 'number' && Number.isInteger(value) && (value === 429 || (value >= 500 && value <= 599));
    return fits ? value : mistake(mistakes, path, this.expected, value);
  },
};

/** Reads a POST /faults body; `roles` are the endpoint roles this mock has. */
export function readFaultSpec(value: unknown, roles: readonly EndpointRole[], mistakes: string[]): FaultSpec | undefined {
  if (!isMapping(value)) {
    mistakes.push(`expected a mapping such as {"role":"token","status":503,"count":2}; got ${shown(value)}`);
    return undefined;
  }
  const fields = {
    role: required(choice(roles)),
    status: optional(faultStatus),
    latencyMs: optional(integer(0, 60_000)),
    count: optional(integer(1)),
    retryAfter: optional(integer(0)),
  };
  const read = readFields(fields, value, '', mistakes, { partial: false, what: 'member' }) as Partial<FaultSpec> | undefined;
  if (!read) return undefined;
  if (read.status === undefined && read.latencyMs === undefined) {
    mistakes.push('give status (429 or a 5xx), latencyMs, or both');
    return undefined;
  }
  if (read.retryAfter !== undefined && read.status !== 429) {
    mistakes.push('retryAfter: only a 429 carries Retry-After');
    return undefined;
  }
  return { ...(read as FaultSpec), count: read.count ?? 1 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Where the faults go: the world or the issuer, both MSW handler lists with a role for every URL. */
export interface FaultHost {
  use(...handlers: RequestHandler[]): void;
  resetHandlers(): void;
  roleOf(url: URL): EndpointRole;
}

/**
 * The faults in force, applied in the order they were added: a request meets every fault of its role
 * with budget left (a latency, then a status), so a delay and a 503 can be stacked on one request.
 */
export class FaultBoard {
  private faults: Fault[] = [];
  private made = 0;

  constructor(private readonly host: FaultHost) {}

  private readonly handler: RequestHandler = http.all('*', async ({ request }) => {
    const role = this.host.roleOf(new URL(request.url));
    for (const fault of this.faults) {
      if (fault.role !== role || fault.remaining <= 0) continue;
      fault.remaining--;
      if (fault.latencyMs) await sleep(fault.latencyMs);
      if (fault.status !== undefined) return faultResponse(fault.status, fault.retryAfter ?? 1);
    }
    return undefined;
  });

  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...spec, id: ++this.made, remaining: spec.count };
    // The handler stays in front from the first fault until clear() takes it away with the faults.
    if (this.faults.length === 0) this.host.use(this.handler);
    this.faults.push(fault);
    return fault;
  }

  /** Faults with budget left. */
  list(): Fault[] {
    return this.faults.filter((fault) => fault.remaining > 0).map((fault) => ({ ...fault }));
  }

  /** Removes every fault; returns how many still had budget. */
  clear(): number {
    const active = this.list().length;
    this.faults = [];
    this.host.resetHandlers();
    return active;
  }
}

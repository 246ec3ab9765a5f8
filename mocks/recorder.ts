// Collects one scenario's exchanges and process events in arrival order. The world's servers, the
// kit's browser and the process driver all write here; checks only ever see the finished Trace.
import type { Actor, Exchange, ProcessEvent, ProcessEventKind } from '../core/trace.js';

export class TraceRecorder {
  readonly exchanges: Exchange[] = [];
  readonly events: ProcessEvent[] = [];
  private readonly origin = performance.now();

  /** Milliseconds since the recorder was made (the scenario's start). */
  now(): number {
    return Math.round((performance.now() - this.origin) * 10) / 10;
  }

  /** Appends an exchange and gives it the next id. */
  exchange(entry: Omit<Exchange, 'id'>): Exchange {
    const recorded: Exchange = { id: this.exchanges.length + 1, ...entry };
    this.exchanges.push(recorded);
    return recorded;
  }

  event(kind: ProcessEventKind, actor: Actor, detail?: Record<string, unknown>): ProcessEvent {
    const recorded: ProcessEvent = { kind, actor, at: this.now(), ...(detail ? { detail } : {}) };
    this.events.push(recorded);
    return recorded;
  }
}

/**
 * A recorder that writes into whichever scenario's recorder is current: a server of the kit's (the
 * issuer, the client metadata host) outlives the scenarios, which run one at a time, and each trace
 * must hold what the target asked of it while that scenario ran.
 */
export class RecorderSwitch extends TraceRecorder {
  current = new TraceRecorder();

  override now(): number {
    return this.current.now();
  }

  override exchange(entry: Omit<Exchange, 'id'>): Exchange {
    return this.current.exchange(entry);
  }

  override event(kind: ProcessEventKind, actor: string, detail?: Record<string, unknown>): ProcessEvent {
    return this.current.event(kind, actor, detail);
  }
}

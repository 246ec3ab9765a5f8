// The trace of a long-running mock: one recorder the servers write into, which tells the live log,
// the live verdicts and the page about each exchange as it is recorded, and which can start over.
import { RecorderSwitch, TraceRecorder } from '../../mocks/recorder.js';
import type { Exchange } from '../trace.js';

export class TraceFeed extends RecorderSwitch {
  private readonly listeners = new Set<(exchange: Exchange) => void>();
  /** How many times the trace was cleared: exchange ids start again at 1 after each. */
  epoch = 0;

  /** Calls `listener` with every exchange from now on, synchronously, before its response leaves. */
  subscribe(listener: (exchange: Exchange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  override exchange(entry: Omit<Exchange, 'id'>): Exchange {
    const recorded = super.exchange(entry);
    for (const listener of this.listeners) {
      try {
        listener(recorded);
      } catch {
        // A broken terminal or page must not cost the target its answer.
      }
    }
    return recorded;
  }

  /** The exchanges since the trace was last cleared. */
  recorded(): readonly Exchange[] {
    return this.current.exchanges;
  }

  /** Exchanges with an id above `id`. */
  since(id: number): Exchange[] {
    const all = this.current.exchanges;
    // Ids are 1-based positions, so the tail starts at index `id`.
    return all.slice(Math.max(0, Math.min(id, all.length)));
  }

  clear(): void {
    this.current = new TraceRecorder();
    this.epoch++;
  }
}

/** Where the control API's own requests go: nobody needs them, and a trace of them would only grow. */
export class DiscardingRecorder extends TraceRecorder {
  override exchange(entry: Omit<Exchange, 'id'>): Exchange {
    return { id: 0, ...entry };
  }
}

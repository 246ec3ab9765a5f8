// The checks of the mock world's scenario, judged again as its trace grows. Some checks judge an
// absence ("the client never answered the 401"), true of a client only once it has stopped, so
// judging waits for the client to pause; and judging the whole trace grows faster than the trace
// (about 1.5 ms at 20 exchanges, 10 ms at 200, 300 ms at 2000), so a busy client is judged at most
// every few seconds, never once per exchange.
import type { CheckDef } from '../check.js';
import { changedVerdicts, liveVerdicts, type LiveStatus, type LiveVerdict } from '../live-verdicts.js';
import type { Trace } from '../trace.js';

/** The client has paused when nothing came for this long. */
export const QUIET_MS = 500;
/** A client that never pauses is judged this often all the same. */
export const MAX_WAIT_MS = 3000;

export interface LiveJudgeOptions {
  checks: readonly CheckDef[];
  strict: boolean;
  trace(): Trace;
  /**
   * Verdicts whose status changed, the statuses they had before (absent: never judged), and the
   * last exchange of the trace they were judged on.
   */
  onChange(changed: LiveVerdict[], before: ReadonlyMap<string, LiveStatus>, latest: number): void;
  quietMs?: number;
  maxWaitMs?: number;
}

export interface LiveJudge {
  /** The trace grew or changed: judge it once the client pauses. */
  touch(): void;
  /** The verdicts on the trace as it is now (a snapshot, judged now if the trace changed). */
  verdicts(): LiveVerdict[];
  /** The trace was cleared: statuses seen so far are forgotten. */
  reset(): void;
  /** Milliseconds the last judgement took. */
  readonly lastMs: number;
  close(): void;
}

export function createLiveJudge(options: LiveJudgeOptions): LiveJudge {
  const quietMs = options.quietMs ?? QUIET_MS;
  const maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
  // What the log was last told, apart from what a snapshot saw: a snapshot does not speak for the log.
  let announced = new Map<string, LiveStatus>();
  let snapshot: LiveVerdict[] | undefined;
  let quiet: ReturnType<typeof setTimeout> | undefined;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let lastMs = 0;

  const judgeNow = (): LiveVerdict[] => {
    const began = performance.now();
    const trace = options.trace();
    const verdicts = liveVerdicts(options.checks, trace, options.strict);
    lastMs = performance.now() - began;
    snapshot = verdicts;
    return verdicts;
  };
  const cancel = (): void => {
    clearTimeout(quiet);
    clearTimeout(deadline);
    quiet = deadline = undefined;
  };
  const announce = (): void => {
    cancel();
    const trace = options.trace();
    const verdicts = snapshot ?? judgeNow();
    const changed = changedVerdicts(announced, verdicts);
    const before = announced;
    announced = new Map(verdicts.map((verdict) => [verdict.id, verdict.status]));
    if (changed.length > 0) options.onChange(changed, before, trace.exchanges.at(-1)?.id ?? 0);
  };
  const timer = (ms: number): ReturnType<typeof setTimeout> => {
    const made = setTimeout(announce, ms);
    // The mock's listeners keep the process alive, not a pending judgement.
    made.unref();
    return made;
  };

  return {
    touch() {
      snapshot = undefined;
      clearTimeout(quiet);
      quiet = timer(quietMs);
      deadline ??= timer(maxWaitMs);
    },
    verdicts: () => snapshot ?? judgeNow(),
    reset() {
      cancel();
      announced = new Map();
      snapshot = undefined;
    },
    get lastMs() {
      return lastMs;
    },
    close: cancel,
  };
}

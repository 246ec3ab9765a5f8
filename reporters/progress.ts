// Progress while scenarios run. On a terminal, one status line is redrawn in place and each
// finished scenario is printed above it; anywhere else (CI logs, pipes) redrawing would leave
// garbage, so each finished scenario gets one plain line and nothing else is written.
import pc from 'picocolors';
import type { ScenarioResult } from '../core/report.js';
import { cleanLine, formatDuration, scenarioCounts, truncate } from './text.js';

export interface ProgressOptions {
  tty: boolean;
  write: (text: string) => void;
  /** Colour the status words; the caller decides, as for the console reporter. */
  color?: boolean;
  /** Terminal width; the status line is kept shorter so that it never wraps (a wrapped line cannot be redrawn). */
  columns?: number;
}

export interface Progress {
  scenarioStarted(id: string): void;
  scenarioFinished(result: ScenarioResult): void;
  /** Clears the status line so that the final report starts on a clean line. */
  end(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

/** `PASS auth/metadata-default (12 checks, 840 ms)`: what a finished scenario prints. */
export function finishedLine(result: ScenarioResult, color = false): string {
  const c = pc.createColors(color);
  const id = cleanLine(result.id);
  if (result.status === 'skip') return `${c.gray('SKIP')} ${id} (${cleanLine(result.skipReason ?? 'not run')})`;
  const word = result.status === 'pass' ? c.green('PASS') : c.red('FAIL');
  return `${word} ${id} (${scenarioCounts(result)})`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { tty, write } = options;
  const color = options.color ?? false;
  const columns = options.columns ?? 80;
  // Insertion order is start order, so the status line names the longest-running scenarios first.
  const running = new Set<string>();
  const startedAt = Date.now();
  let finished = 0;
  let statusShown = false;

  const statusLine = (): string => {
    const names = [...running].map(cleanLine);
    const elapsed = formatDuration(Date.now() - startedAt);
    const text = `${finished} done, ${running.size} running (${elapsed}): ${names.join(', ')}`;
    return truncate(text, Math.max(10, columns - 1));
  };
  const redraw = () => {
    if (running.size === 0) {
      if (statusShown) write(CLEAR_LINE);
      statusShown = false;
      return;
    }
    write(`${CLEAR_LINE}${pc.createColors(color).dim(statusLine())}`);
    statusShown = true;
  };

  return {
    scenarioStarted(id) {
      running.add(id);
      if (tty) redraw();
    },
    scenarioFinished(result) {
      running.delete(result.id);
      finished++;
      const line = finishedLine(result, color);
      if (!tty) {
        write(`${line}\n`);
        return;
      }
      write(`${statusShown ? CLEAR_LINE : ''}${line}\n`);
      statusShown = false;
      redraw();
    },
    end() {
      if (tty && statusShown) write(CLEAR_LINE);
      statusShown = false;
      running.clear();
    },
  };
}

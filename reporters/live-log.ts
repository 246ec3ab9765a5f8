// The mock's terminal: a line per exchange as it happens, and a line whenever a check's verdict
// changes, in the console reporter's symbols and colours. Everything the target sent is cleaned
// before it reaches the terminal.
import pc from 'picocolors';
import { cleanLine, truncate } from './text.js';
import type { LiveStatus, LiveVerdict } from '../core/live-verdicts.js';
import type { Exchange } from '../core/trace.js';

export interface LiveLogOptions {
  write(text: string): void;
  /** The caller has weighed the terminal, NO_COLOR and --no-color. */
  color: boolean;
  /** --quiet: no exchange lines; verdicts and notes still come. */
  quiet: boolean;
  /** Columns the path may take; 60 when not given. */
  pathWidth?: number;
  /** The clock of the time column (tests fix it). */
  now?: () => Date;
}

export interface LiveLog {
  exchange(exchange: Exchange): void;
  /** Verdicts that changed (to pending: not printed), what they were before, and the last exchange judged. */
  verdicts(changed: readonly LiveVerdict[], before: ReadonlyMap<string, LiveStatus>, latest: number): void;
  /** Something the mock did on request (trace cleared, knobs changed...). */
  note(text: string): void;
}

const two = (n: number): string => String(n).padStart(2, '0');

export function clockTime(date: Date): string {
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/** One exchange: time, id, actor, method, path, status, role (and the server, where a role is on two). */
export function exchangeLine(exchange: Exchange, options: Pick<LiveLogOptions, 'color' | 'pathWidth'> & { time: Date }): string {
  const c = pc.createColors(options.color);
  const status = exchange.response?.status;
  const paint = status === undefined ? c.red : status >= 500 ? c.red : status >= 400 ? c.yellow : status >= 300 ? c.cyan : c.green;
  const where = exchange.server === 'as2' ? `${exchange.role} (as2)` : exchange.role;
  return [
    c.dim(clockTime(options.time)),
    c.dim(`#${exchange.id}`.padStart(5)),
    cleanLine(exchange.actor).padEnd(9),
    cleanLine(exchange.request.method).padEnd(6),
    truncate(cleanLine(pathOf(exchange.request.url)), options.pathWidth ?? 60).padEnd(Math.min(options.pathWidth ?? 60, 40)),
    paint(status === undefined ? '---' : String(status)),
    c.dim(where),
  ].join(' ');
}

/**
 * `✗ resource-in-token-request MUST (C-RES-02): token request without resource  #7`; passes dimmer,
 * unless they end a failure (an absence the client made good once it carried on).
 */
export function verdictLine(verdict: LiveVerdict, latest: number, color: boolean, before?: LiveStatus): string {
  const c = pc.createColors(color);
  // A verdict without evidence is about the trace as a whole: say when it was judged, not which exchange proves it.
  const at = c.dim(verdict.evidence[0] !== undefined ? `#${verdict.evidence[0]}` : `as of #${latest}`);
  const requirement = verdict.requirements.length > 0 ? ` (${verdict.requirements[0]})` : '';
  const message = cleanLine(verdict.message);
  if (verdict.status === 'pass' && (before === 'fail' || before === 'warn')) return `${c.green(`✓ ${verdict.id}`)}: ${message} (no longer ${before === 'fail' ? 'failing' : 'warning'})  ${at}`;
  if (verdict.status === 'pass') return c.dim(`${c.green('✓')} ${verdict.id}: ${message}  `) + at;
  const [symbol, paint] = verdict.status === 'fail' ? ['✗', (t: string) => c.bold(c.red(t))] : ['!', c.yellow];
  return `${paint(`${symbol} ${verdict.id}`)} ${verdict.level}${requirement}: ${message}  ${at}`;
}

export function createLiveLog(options: LiveLogOptions): LiveLog {
  const now = options.now ?? (() => new Date());
  const c = pc.createColors(options.color);
  return {
    exchange(exchange) {
      if (options.quiet) return;
      options.write(`${exchangeLine(exchange, { ...options, time: now() })}\n`);
    },
    verdicts(changed, before, latest) {
      for (const verdict of changed) {
        if (verdict.status === 'pending') continue;
        options.write(`${verdictLine(verdict, latest, options.color, before.get(verdict.id))}\n`);
      }
    },
    note(text) {
      options.write(`${c.dim(`${clockTime(now())} ${cleanLine(text)}`)}\n`);
    },
  };
}

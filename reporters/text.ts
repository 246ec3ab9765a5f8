// Text helpers shared by the reporters. Much of what a report holds was written by the target
// (its output, the URLs and headers it sent), so every such string is cleaned before it reaches a
// terminal or an XML file: escape sequences could repaint the terminal, and most control
// characters are not even allowed in XML 1.0.
import type { Report, ScenarioResult } from '../core/report.js';
import type { ProcessOutcome } from '../core/trace.js';

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences: noise once out of the terminal.
const ANSI_SEQUENCE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
// C0 except tab and newline, DEL and C1: shown as visible escapes so nothing is lost silently.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Non-characters and unpaired surrogates cannot be encoded in well-formed XML or UTF-8.
const UNENCODABLE = /[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Makes target-provided text safe to print and to put in XML, keeping tabs and newlines. */
export function cleanText(text: string): string {
  const lines = text
    .replace(ANSI_SEQUENCE, '')
    .replace(/\r\n/g, '\n')
    .split('\n')
    // A bare carriage return redraws the line (progress bars); keep what the terminal would show.
    .map((line) => line.slice(line.lastIndexOf('\r') + 1));
  return lines
    .join('\n')
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(UNENCODABLE, '\ufffd');
}

/** `cleanText` folded onto one line, for places that cannot hold a line break (XML attributes, headings). */
export function cleanLine(text: string): string {
  return cleanText(text).replace(/\s*\n\s*/g, ' ').replace(/\t/g, ' ').trim();
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * `cleanText`, then every character that could open markup or end a quoted attribute escaped: the
 * one way target-provided text enters an HTML or SVG document, as element text or attribute value.
 */
export function escapeHtml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The last `max` lines of a tail, cleaned; trailing blank lines dropped. */
export function tailLines(tail: string, max: number): string[] {
  const lines = cleanText(tail).replace(/\n+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return [];
  return max > 0 && lines.length > max ? lines.slice(-max) : lines;
}

/**
 * What went wrong with a client process, or undefined when nothing did. A non-zero exit is
 * reported even in scenarios where refusing is the correct behaviour; the checks say whether it
 * counts.
 */
export function processProblem(p: ProcessOutcome): string | undefined {
  if (p.spawnError !== undefined) return `could not be started: ${cleanLine(p.spawnError)}`;
  if (p.timedOut) return `timed out after ${formatDuration(p.durationMs)}`;
  if (p.signal) return `was killed by ${p.signal} after ${formatDuration(p.durationMs)}`;
  if (p.exitCode !== null && p.exitCode !== 0) return `exited with code ${p.exitCode} after ${formatDuration(p.durationMs)}`;
  return undefined;
}

/** `(12 checks, 2 fail, 1 warn, 840 ms)`-style counts of one scenario; zero counts are left out. */
export function scenarioCounts(scenario: ScenarioResult): string {
  let fail = 0;
  let warn = 0;
  let skip = 0;
  let unreached = 0;
  let expected = 0;
  for (const c of scenario.checks) {
    if ((c.status === 'fail' || c.status === 'not-reached') && c.expectedFailure) expected++;
    else if (c.status === 'fail') fail++;
    else if (c.status === 'not-reached') unreached++;
    else if (c.status === 'warn') warn++;
    else if (c.status === 'skip') skip++;
  }
  const parts = [plural(scenario.checks.length, 'check')];
  if (fail) parts.push(`${fail} fail`);
  if (unreached) parts.push(`${unreached} not reached`);
  if (warn) parts.push(`${warn} warn`);
  if (skip) parts.push(`${skip} skip`);
  if (expected) parts.push(plural(expected, 'expected failure'));
  parts.push(formatDuration(scenario.durationMs));
  return parts.join(', ');
}

/** Exit code of a run cut short by a signal, whatever its results say (see the README's exit codes). */
export const INTERRUPTED_EXIT = 130;

/** The run's outcome in a word or two and the exit code the command gave, as the summary reporters head their page with them. */
export function runVerdict(report: Report): { passed: boolean; text: string; exitCode: number } {
  const code = report.summary.exitCode;
  if (report.interrupted) return { passed: false, text: 'interrupted', exitCode: INTERRUPTED_EXIT };
  const words: Record<typeof code, string> = { 0: 'passed', 1: 'failed', 2: 'configuration error', 3: 'target could not be run' };
  return { passed: code === 0, text: words[code], exitCode: code };
}

/** The target as one line: the URL, the command, or the URL of a server the command started. */
export function targetLine(report: Report): string {
  return cleanLine([report.target.url, report.target.command].filter((part) => part !== undefined).join(' started by '));
}

/** `5 scenarios: 1 passed, 3 failed, 1 skipped` and `11 checks: 5 pass, 3 fail, ...`, zero counts of rarer kinds left out. */
export function runCounts(report: Report): { scenarios: string; checks: string; expected: string } {
  const { scenarios, checks } = report.summary;
  const scenarioParts = [`${scenarios.passed} passed`, `${scenarios.failed} failed`];
  if (scenarios.skipped > 0) scenarioParts.push(`${scenarios.skipped} skipped`);
  const total = checks.pass + checks.fail + checks.warn + checks.skip + checks.notReached + checks.expectedFailures;
  const checkParts = [`${checks.pass} pass`, `${checks.fail} fail`, `${checks.warn} warn`];
  if (checks.notReached > 0) checkParts.push(`${checks.notReached} not reached`);
  if (checks.skip > 0) checkParts.push(`${checks.skip} skip`);
  return {
    scenarios: `${plural(scenarios.total, 'scenario')}: ${scenarioParts.join(', ')}`,
    checks: `${plural(total, 'check')}: ${checkParts.join(', ')}`,
    expected: plural(checks.expectedFailures, 'expected failure'),
  };
}

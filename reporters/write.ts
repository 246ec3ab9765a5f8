// Hands a finished report to the reporters the user chose: the console one to stdout, the others to
// files in the output directory. The engines return reports; only the command line calls this.
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from '../core/report.js';
import { renderConsole } from './console.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export const REPORTERS = ['console', 'json', 'junit', 'markdown', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

/** The file each file-writing reporter produces in the output directory. */
const FILES: Record<Exclude<ReporterName, 'console'>, [string, (report: Report) => string]> = {
  json: ['report.json', renderJson],
  junit: ['junit.xml', renderJunit],
  markdown: ['report.md', renderMarkdown],
  html: ['report.html', renderHtml],
};

export interface WriteOptions {
  reporters: readonly ReporterName[];
  /** Absolute. */
  outputDir: string;
  verbose: boolean;
  /** Colour on stdout: the caller has weighed the terminal, NO_COLOR and --no-color. */
  color: boolean;
  width?: number;
  /** Written paths are shown relative to it. */
  cwd: string;
  /**
   * The file GitHub Actions shows as the job summary ($GITHUB_STEP_SUMMARY): the markdown reporter
   * appends to it as well, since a job may run several suites and each adds its own summary.
   */
  stepSummary?: string;
}

export interface ReportSink {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Whether a reporter writes a file, so the output directory must exist before a long run. */
export function writesFiles(reporters: readonly ReporterName[]): boolean {
  return reporters.some((name) => name !== 'console');
}

/** Renders and writes every chosen report; false when a file could not be written (said on stderr). */
export async function writeReports(report: Report, options: WriteOptions, sink: ReportSink): Promise<boolean> {
  if (options.reporters.includes('console')) {
    sink.stdout.write(renderConsole(report, { color: options.color, verbose: options.verbose, ...(options.width ? { width: options.width } : {}) }));
  }
  for (const name of options.reporters) {
    if (name === 'console') continue;
    const [fileName, render] = FILES[name];
    const file = path.join(options.outputDir, fileName);
    const text = render(report);
    try {
      await writeFile(file, text);
    } catch (error) {
      sink.stderr.write(`mcp-auth-conformance: cannot write ${file}: ${(error as Error).message}\n`);
      return false;
    }
    sink.stderr.write(`wrote ${path.relative(options.cwd, file) || file}\n`);
    if (name === 'markdown' && options.stepSummary) {
      const summary = path.resolve(options.cwd, options.stepSummary);
      try {
        // The blank line ends whatever block the previous summary closed with (an HTML block swallows the lines that follow it).
        await appendFile(summary, `\n${text}`);
      } catch (error) {
        sink.stderr.write(`mcp-auth-conformance: cannot append to the job summary ${summary}: ${(error as Error).message}\n`);
        return false;
      }
      sink.stderr.write('appended the summary to $GITHUB_STEP_SUMMARY\n');
    }
  }
  return true;
}

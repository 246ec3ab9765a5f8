// What `merge-reports` does, given parsed options: find the reports among the paths given, merge
// them (core/merge-reports.ts), and hand the whole to the same reporters a run uses.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MergeError, mergeReports, type ReportInput } from '../core/merge-reports.js';
import { UsageError } from '../core/select.js';
import { writesFiles, type ReporterName } from '../reporters/write.js';
import { deliverReport, type CommandIo } from './run-command.js';

/** The file the json reporter writes, and so the one looked for in directories. */
const REPORT_FILE = 'report.json';

export interface MergeCommandOptions {
  /** report.json files, or directories holding them at any depth (downloaded CI artifacts). */
  inputs: string[];
  reporters: ReporterName[];
  outputDir: string;
  verbose: boolean;
  color: boolean;
}

async function reportsUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await reportsUnder(full)));
    else if (entry.isFile() && entry.name === REPORT_FILE) found.push(full);
  }
  return found;
}

/**
 * The report files the inputs name, each once. A directory is searched, except for the report this
 * merge writes: merging twice into a folder it reads must not count the last result as a part.
 */
async function reportFiles(inputs: readonly string[], cwd: string, ownOutput: string): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const full = path.resolve(cwd, input);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(full)).isDirectory();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
      throw new UsageError(`${input}: ${reason}`);
    }
    if (!isDirectory) {
      files.push(full);
      continue;
    }
    const found = (await reportsUnder(full)).filter((file) => file !== ownOutput);
    if (found.length === 0) throw new UsageError(`${input}: no ${REPORT_FILE} in this directory or below it (write one with --reporter json)`);
    files.push(...found);
  }
  return [...new Set(files)];
}

/** Runs `merge-reports`; returns the merged report's exit code, as the run would have. Bad input throws UsageError. */
export async function runMergeCommand(options: MergeCommandOptions, io: CommandIo): Promise<number> {
  const outputDir = path.resolve(io.cwd, options.outputDir);
  const files = await reportFiles(options.inputs, io.cwd, path.join(outputDir, REPORT_FILE));
  const shown = (file: string): string => path.relative(io.cwd, file) || file;
  const inputs: ReportInput[] = [];
  for (const file of files) {
    try {
      inputs.push({ source: shown(file), text: await readFile(file, 'utf8') });
    } catch (error) {
      throw new UsageError(`${shown(file)}: cannot read it: ${(error as Error).message}`);
    }
  }
  let report;
  try {
    report = mergeReports(inputs);
  } catch (error) {
    if (error instanceof MergeError) throw new UsageError(error.message);
    throw error;
  }
  if (writesFiles(options.reporters)) {
    await mkdir(outputDir, { recursive: true }).catch((error: Error) => {
      throw new UsageError(`cannot create output directory ${options.outputDir}: ${error.message}`);
    });
  }
  io.stderr.write(`merged ${inputs.length === 1 ? '1 report' : `${inputs.length} reports`}: ${inputs.map((input) => input.source).join(', ')}\n`);
  // The merge job's summary is the one that shows the whole run.
  return deliverReport(report, options, outputDir, io);
}

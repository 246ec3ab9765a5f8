// `--client ./my-client.ts`: a client written in TypeScript runs without a build step, through the
// kit's own tsx. The command stays a shell command line: only the interpreter is put in front of
// its first word, so the user's quoting, variables and redirections mean what they meant.
import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const TYPESCRIPT_FILE = /\.(?:ts|mts|cts)$/;
const SHELL_BREAK = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** A word of a shell command line: where it lies in the text, and its value when nothing in it is expanded. */
interface Word {
  start: number;
  end: number;
  raw: string;
  /** The word after quote removal; undefined when it holds an expansion ($, `, a glob, ~). */
  literal: string | undefined;
}

/** Reads the word starting at `from` (after blanks) the way sh splits words; undefined at the end or at an operator. */
function readWord(command: string, from: number): Word | undefined {
  let i = from;
  while (i < command.length && (command[i] === ' ' || command[i] === '\t')) i++;
  const start = i;
  let value = '';
  let literal = true;
  while (i < command.length && !SHELL_BREAK.has(command[i])) {
    const ch = command[i];
    if (ch === "'") {
      const close = command.indexOf("'", i + 1);
      if (close < 0) return undefined;
      value += command.slice(i + 1, close);
      i = close + 1;
    } else if (ch === '"') {
      i++;
      while (i < command.length && command[i] !== '"') {
        if (command[i] === '\\' && i + 1 < command.length && '$`"\\\n'.includes(command[i + 1])) {
          if (command[i + 1] !== '\n') value += command[i + 1];
          i += 2;
          continue;
        }
        if (command[i] === '$' || command[i] === '`') literal = false;
        value += command[i++];
      }
      if (i >= command.length) return undefined;
      i++;
    } else if (ch === '\\') {
      if (i + 1 < command.length && command[i + 1] !== '\n') value += command[i + 1];
      i += 2;
    } else {
      if ('$`*?['.includes(ch) || (ch === '~' && i === start)) literal = false;
      value += ch;
      i++;
    }
  }
  if (i === start) return undefined;
  return { start, end: i, raw: command.slice(start, i), literal: literal ? value : undefined };
}

/** The command word of a simple command: the first word after any leading VAR=value assignments. */
function commandWord(command: string): Word | undefined {
  let at = 0;
  for (;;) {
    const word = readWord(command, at);
    if (!word) return undefined;
    if (!ASSIGNMENT.test(word.raw)) return word;
    at = word.end;
  }
}

function shellWord(value: string): string {
  return /^[A-Za-z0-9._/:=@%+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * What a path names: no file; a script its author made runnable (executable, with a `#!` line naming
 * its interpreter: Bun, Deno, tsx itself); or source for the kit to run.
 */
export type ScriptKind = 'missing' | 'runnable' | 'source';

export interface TypeScriptRunner {
  /** The node that runs tsx; the kit's own (process.execPath), so nothing depends on PATH. */
  node: string;
  /** tsx's CLI script. */
  tsxCli: string;
  /** What a path, relative to the client's working directory, names. */
  kind: (file: string) => ScriptKind;
}

/**
 * The command line that runs a TypeScript client through tsx: when the command word is a literal
 * path ending in .ts, .mts or .cts that names a source file, `node tsx-cli` goes in front of it;
 * any other command comes back unchanged. A missing file is left to the shell, which reports it
 * (exit 127) as for any command that is not there, so the kit calls the client not runnable
 * rather than failing every check; an executable script with a `#!` line keeps the interpreter
 * its author chose.
 */
export function typescriptCommand(command: string, runner: TypeScriptRunner): string {
  const word = commandWord(command);
  if (!word || word.literal === undefined || !TYPESCRIPT_FILE.test(word.literal) || runner.kind(word.literal) !== 'source') return command;
  return `${command.slice(0, word.start)}${shellWord(runner.node)} ${shellWord(runner.tsxCli)} ${command.slice(word.start)}`;
}

/** scriptKind on the file system. */
export function scriptKind(file: string): ScriptKind {
  try {
    if (!statSync(file).isFile()) return 'missing';
  } catch {
    return 'missing';
  }
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return 'source';
  }
  const head = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, head, 0, 2, 0);
  } catch {
    return 'source';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return head.toString('latin1') === '#!' ? 'runnable' : 'source';
}

let tsxCli: string | null | undefined;

/** tsx's CLI as the kit's own installation resolves it (a dependency), or null when it cannot be found. */
function resolveTsxCli(): string | null {
  if (tsxCli === undefined) {
    try {
      tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    } catch {
      tsxCli = null;
    }
  }
  return tsxCli;
}

/** typescriptCommand with the kit's node and tsx, paths taken relative to `cwd` (the client's). */
export function runnableClientCommand(command: string, cwd: string = process.cwd()): string {
  const cli = resolveTsxCli();
  if (cli === null) return command;
  return typescriptCommand(command, { node: process.execPath, tsxCli: cli, kind: (file) => scriptKind(path.resolve(cwd, file)) });
}

// Knobs as data: the mock's config file (YAML or JSON) and PATCH /knobs, read against the knob schema
// with every mistake found at once, one line each, naming the knob's path.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { closest, isMapping, KNOB_SECTIONS, knobConflicts, LEGACY_KNOB, readFields, shown } from '../../mocks/knob-schema.js';
import { mergeKnobs, type AsKnobs, type LegacyMode, type PrmKnobs, type RsKnobs, type WorldKnobs } from '../../mocks/knobs.js';
import type { ClientScenario } from '../scenario.js';
import { nearMatches, UsageError } from '../select.js';

/** Mistakes in knobs given as data, one line each. */
export class KnobMistakes extends Error {
  constructor(readonly mistakes: string[]) {
    super(mistakes.join('\n'));
  }
}

/**
 * Overrides over complete knobs, one level deep. A key present with the value undefined (null in
 * the data) removes an optional knob; `as2: null` and `legacy: null` remove the second
 * authorization server and the 2025-03-26 layout.
 */
export interface KnobPatch {
  prm?: Partial<PrmKnobs>;
  as?: Partial<AsKnobs>;
  rs?: Partial<RsKnobs>;
  as2?: Partial<AsKnobs> | null;
  legacy?: LegacyMode | null;
}

export type MockMode = 'client' | 'server';

/** What a config file or a PATCH body holds: a base world (a client scenario's) and overrides. */
export interface KnobData {
  world?: string;
  patch: KnobPatch;
}

const SECTIONS = ['prm', 'as', 'rs', 'as2', 'legacy'] as const;

/**
 * Reads knob data, adding a line to `mistakes` for each thing wrong with it. `world` is accepted
 * only where a base world may still be chosen (a config file); the server-mode mock, an
 * authorization server alone, takes `as` knobs only.
 */
export function readKnobData(value: unknown, mistakes: string[], options: { mode: MockMode; worldAllowed: boolean; scenarios: readonly ClientScenario[] }): KnobData {
  const patch: KnobPatch = {};
  const data: KnobData = { patch };
  if (value === null || value === undefined) return data;
  if (!isMapping(value)) {
    mistakes.push(`expected a mapping of ${options.worldAllowed ? 'world, ' : ''}${SECTIONS.join(', ')}; got ${shown(value)}`);
    return data;
  }
  const allowed = options.mode === 'server' ? ['as'] : [...(options.worldAllowed ? ['world'] : []), ...SECTIONS];
  for (const [key, entry] of Object.entries(value)) {
    if (!allowed.includes(key)) {
      if (options.mode === 'server' && (key === 'world' || (SECTIONS as readonly string[]).includes(key))) {
        mistakes.push(`${key}: the mock of --resource is an authorization server alone; only as knobs apply to it`);
      } else if (key === 'world') {
        mistakes.push('world: the base world is chosen when the mock starts (--world or the config file), not changed while it runs');
      } else {
        const near = closest(key, allowed);
        mistakes.push(`${key}: unknown section${near !== undefined ? ` (did you mean ${near}?)` : ''}; the sections are ${allowed.join(', ')}`);
      }
      continue;
    }
    if (key === 'world') {
      if (typeof entry !== 'string') {
        mistakes.push(`world: expected the id of a client scenario, such as auth/metadata-default; got ${shown(entry)}`);
      } else if (!options.scenarios.some((scenario) => scenario.id === entry)) {
        const near = nearMatches(entry, options.scenarios.map((scenario) => scenario.id));
        mistakes.push(`world: unknown scenario ${JSON.stringify(entry)}${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : '; mcp-auth-conformance list --role client names them'}`);
      } else data.world = entry;
      continue;
    }
    if (key === 'legacy') {
      const legacy = entry === null ? null : LEGACY_KNOB.read(entry, 'legacy', mistakes);
      if (legacy !== undefined) patch.legacy = legacy;
      continue;
    }
    const section = key as 'prm' | 'as' | 'rs' | 'as2';
    if (section === 'as2' && entry === null) {
      patch.as2 = null;
      continue;
    }
    if (!isMapping(entry)) {
      mistakes.push(`${section}: expected a mapping of ${section} knobs; got ${shown(entry)}`);
      continue;
    }
    const read = readFields(KNOB_SECTIONS[section], entry, section, mistakes, { partial: true, removable: true });
    if (read !== undefined) (patch as Record<string, unknown>)[section] = read;
  }
  return data;
}

function withoutRemoved<T extends object>(section: T): T {
  return Object.fromEntries(Object.entries(section).filter(([, value]) => value !== undefined)) as T;
}

/** The patch applied over complete knobs: mergeKnobs, then the removals. */
export function applyKnobPatch(base: WorldKnobs, patch: KnobPatch): WorldKnobs {
  const { as2, legacy, ...rest } = patch;
  const merged = mergeKnobs(base, { ...rest, ...(as2 ? { as2 } : {}), ...(legacy ? { legacy } : {}) });
  const knobs: WorldKnobs = { prm: withoutRemoved(merged.prm), as: withoutRemoved(merged.as), rs: withoutRemoved(merged.rs) };
  if (merged.legacy && legacy !== null) knobs.legacy = merged.legacy;
  if (merged.as2 && as2 !== null) knobs.as2 = withoutRemoved(merged.as2);
  return knobs;
}

/** Knob data applied over `base`, or every mistake in it (the data's, then the result's contradictions). */
export function patchedKnobs(base: WorldKnobs, data: KnobData, mistakes: string[]): WorldKnobs {
  const knobs = applyKnobPatch(base, data.patch);
  if (mistakes.length === 0) mistakes.push(...knobConflicts(knobs));
  return knobs;
}

/**
 * A YAML or JSON config file (JSON is YAML). Syntax errors and knob mistakes alike come back as
 * KnobMistakes, every line naming the file; a file that cannot be read is a UsageError.
 */
export async function loadKnobConfig(file: string, cwd: string, options: { mode: MockMode; scenarios: readonly ClientScenario[] }): Promise<KnobData> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read config file ${file}: ${reason}`);
  }
  return parseKnobConfig(text, file, options);
}

export function parseKnobConfig(text: string, file: string, options: { mode: MockMode; scenarios: readonly ClientScenario[] }): KnobData {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new KnobMistakes(
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        // The message goes on to quote the offending lines; its first line says it all.
        const said = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return `${file}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}${said}`;
      }),
    );
  }
  const mistakes: string[] = [];
  const data = readKnobData(document.toJS(), mistakes, { ...options, worldAllowed: true });
  if (mistakes.length > 0) throw new KnobMistakes(mistakes.map((line) => `${file}: ${line}`));
  return data;
}

/** The base scenario of a client-mode mock: --world, else the config's `world:`, else the default one. */
export function baseScenarioId(flag: string | undefined, config: KnobData | undefined, fallback: string): string {
  if (flag !== undefined && config?.world !== undefined && flag !== config.world) {
    throw new UsageError(`--world ${flag} and the config file's world: ${config.world} disagree; give the base world once`);
  }
  return flag ?? config?.world ?? fallback;
}

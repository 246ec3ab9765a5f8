// What each knob of mocks/knobs.ts may hold, for knobs that arrive as data (a config file, a control
// request) rather than as TypeScript. Each knob's reader is typed with the knob's own type, and each
// section is checked against its interface key by key, so a knob added to knobs.ts without a reader
// here, or a reader of the wrong shape, does not compile.
import { nearMatches } from '../core/select.js';
import type { AsKnobs, AsMetadataForm, LegacyMode, PrmKnobs, PrmLocation, RefreshPolicyName, RefreshRejectionShape, RsKnobs, TokenAuthMethod, TokenFault, WorldKnobs } from './knobs.js';

/**
 * Reads one value of type T, or records why it cannot and returns undefined. The function type
 * makes T invariant: a reader of `string[]` does not pass for a knob of `string[] | null`.
 */
export interface Knob<T> {
  /** "one of strict, grace-same, ..." as in `expected ...; got ...`. */
  readonly expected: string;
  read(value: unknown, path: string, mistakes: string[]): T | undefined;
  /** null is a value of the knob (pkceMethods: null leaves the member out), not its removal. */
  readonly takesNull?: boolean;
  readonly type?: (value: T) => T;
}

export interface Field<T> {
  readonly knob: Knob<T>;
  readonly optional: boolean;
}

/** A reader for every key of T, marked optional exactly where T's key is. */
export type FieldsOf<T> = {
  [K in keyof T]-?: undefined extends T[K] ? Field<Exclude<T[K], undefined>> & { optional: true } : Field<T[K]> & { optional: false };
};

export const required = <T>(knob: Knob<T>) => ({ knob, optional: false }) as const;
export const optional = <T>(knob: Knob<T>) => ({ knob, optional: true }) as const;

/** How a value that is not what was expected is shown after `got`. */
export function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/**
 * The candidate `given` was most likely meant to be: the nearest by spelling, else the first that
 * shares the longest beginning with it (`gracee` is too far from `grace-same` to be a typo by edit
 * distance, but plainly means it).
 */
export function closest(given: string, candidates: readonly string[]): string | undefined {
  const near = nearMatches(given, candidates, 1);
  if (near.length > 0) return near[0];
  const shared = (candidate: string): number => {
    let n = 0;
    while (n < given.length && n < candidate.length && given[n].toLowerCase() === candidate[n].toLowerCase()) n++;
    return n;
  };
  let best: string | undefined;
  let bestLength = 0;
  for (const candidate of candidates) {
    const length = shared(candidate);
    if (length > bestLength) [best, bestLength] = [candidate, length];
  }
  return bestLength >= Math.max(3, Math.ceil(given.length / 2)) ? best : undefined;
}

export function mistake(mistakes: string[], path: string, expected: string, value: unknown, hint = ''): undefined {
  mistakes.push(`${path}: expected ${expected}; got ${shown(value)}${hint}`);
  return undefined;
}

export const bool: Knob<boolean> = {
  expected: 'true or false',
  read(value, path, mistakes) {
    return typeof value === 'boolean' ? value : mistake(mistakes, path, this.expected, value);
  },
};

export function text(options: { nonEmpty?: boolean; path?: 'required' | 'or-empty' } = {}): Knob<string> {
  const expected =
    options.path === 'required' ? 'a path starting with "/"' : options.path === 'or-empty' ? '"" or a path starting with "/"' : options.nonEmpty ? 'non-empty text' : 'text';
  return {
    expected,
    read(value, path, mistakes) {
      if (typeof value !== 'string') return mistake(mistakes, path, expected, value);
      const isPath = value.startsWith('/') && !/[\s?#]/.test(value);
      if (options.path === 'required' && !isPath) return mistake(mistakes, path, expected, value);
      if (options.path === 'or-empty' && value !== '' && !isPath) return mistake(mistakes, path, expected, value);
      if (options.nonEmpty && value.trim() === '') return mistake(mistakes, path, expected, value);
      return value;
    },
  };
}

export function integer(min: number, max?: number): Knob<number> {
  const expected = max === undefined ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`;
  return {
    expected,
    read(value, path, mistakes) {
      const fits = typeof value === 'number' && Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max);
      return fits ? value : mistake(mistakes, path, expected, value);
    },
  };
}

export function choice<T>(values: readonly T[]): Knob<T> {
  const names = values.map(String);
  const expected = `one of ${names.join(', ')}`;
  return {
    expected,
    read(value, path, mistakes) {
      // YAML reads `refreshRejection: 401` as a number, and `status: "503"` may come quoted.
      const at = typeof value === 'string' || typeof value === 'number' ? names.indexOf(String(value)) : -1;
      if (at >= 0) return values[at];
      // A number is not misspelt: 504 is no nearer to 503 than to 500.
      const near = typeof value === 'string' ? closest(value, names) : undefined;
      return mistake(mistakes, path, expected, value, near !== undefined ? ` (did you mean ${near}?)` : '');
    },
  };
}

/**
 * One of the members of a union of string literals, listed as the keys of a record over the whole
 * union: a member added to the union without being added here does not compile.
 */
const oneOf = <T extends string>(members: Record<T, true>): Knob<T> => choice(Object.keys(members) as T[]);
const oneOfNumbers = <T extends number>(members: Record<T, true>): Knob<T> => choice(Object.keys(members).map(Number) as T[]);

function listOf<T>(item: Knob<T>, options: { nonEmpty?: boolean } = {}): Knob<T[]> {
  const expected = `a ${options.nonEmpty ? 'non-empty ' : ''}list of ${item.expected.replace(/^(a|an) /, '')}`;
  return {
    expected,
    read(value, path, mistakes) {
      if (!Array.isArray(value)) return mistake(mistakes, path, expected, value);
      if (options.nonEmpty && value.length === 0) return mistake(mistakes, path, expected, value);
      const before = mistakes.length;
      const items = value.map((entry, i) => item.read(entry, `${path}[${i}]`, mistakes));
      return mistakes.length === before ? (items as T[]) : undefined;
    },
  };
}

export function nullable<T>(inner: Knob<T>): Knob<T | null> {
  return {
    expected: `${inner.expected} or null`,
    takesNull: true,
    read(value, path, mistakes) {
      if (value === null) return null;
      // The inner reader says what it expected; null was as good.
      const own: string[] = [];
      const read = inner.read(value, path, own);
      const said = `${path}: expected ${inner.expected};`;
      mistakes.push(...own.map((line) => (line.startsWith(said) ? `${path}: expected ${this.expected};${line.slice(said.length)}` : line)));
      return read;
    },
  };
}

/** A plain object of JSON or YAML (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads the keys of `value` that `fields` knows; an unknown key is a mistake naming the nearest
 * known one. `partial`: every key may be left out (overrides); otherwise required ones must be there.
 * With `removable`, null for an optional key that does not take null means "remove it", recorded
 * as a present key whose value is undefined.
 */
export function readFields(
  // any: each field reads a type of its own, and Knob is invariant in it.
  fields: Readonly<Record<string, Field<any>>>,
  value: Record<string, unknown>,
  path: string,
  mistakes: string[],
  options: { partial: boolean; removable?: boolean; what?: string },
): Record<string, unknown> | undefined {
  const known = Object.keys(fields);
  const prefix = path === '' ? '' : `${path}.`;
  const before = mistakes.length;
  const read: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const field = fields[key];
    if (!field) {
      const near = closest(key, known);
      mistakes.push(`${prefix}${key}: unknown ${options.what ?? 'knob'}${near !== undefined ? ` (did you mean ${prefix}${near}?)` : `; the ${options.what ?? 'knob'}s${path === '' ? '' : ` of ${path}`} are ${known.join(', ')}`}`);
      continue;
    }
    if (entry === null && options.removable && field.optional && !field.knob.takesNull) {
      read[key] = undefined;
      continue;
    }
    const knob = field.knob.read(entry, `${prefix}${key}`, mistakes);
    if (knob !== undefined) read[key] = knob;
  }
  if (!options.partial) {
    for (const key of known) {
      if (!fields[key].optional && !(key in value)) mistakes.push(`${prefix}${key}: missing`);
    }
  }
  return mistakes.length === before ? read : undefined;
}

function record<T>(fields: FieldsOf<T>): Knob<T> {
  const expected = `a mapping of ${Object.keys(fields).join(', ')}`;
  return {
    expected,
    read(value, path, mistakes) {
      if (!isMapping(value)) return mistake(mistakes, path, expected, value);
      return readFields(fields, value, path, mistakes, { partial: false, what: 'member' }) as T | undefined;
    },
  };
}

function mapOf<T>(entry: Knob<T>): Knob<Record<string, T>> {
  const expected = `a mapping of names to ${entry.expected.replace(/^(a|an) /, '')}`;
  return {
    expected,
    read(value, path, mistakes) {
      if (!isMapping(value)) return mistake(mistakes, path, expected, value);
      const before = mistakes.length;
      const read = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, entry.read(item, `${path}.${name}`, mistakes)]));
      return mistakes.length === before ? (read as Record<string, T>) : undefined;
    },
  };
}

const scopes = listOf(text({ nonEmpty: true }));

export const PRM_KNOBS = {
  location: required(oneOf<PrmLocation>({ path: true, root: true, custom: true, none: true })),
  advertise: required(bool),
  scopesSupported: optional(scopes),
  resource: required(oneOf<PrmKnobs['resource']>({ correct: true, 'other-origin': true })),
  cacheControl: optional(text({ nonEmpty: true })),
  authorizationServer: optional(oneOf<'first' | 'second'>({ first: true, second: true })),
  unavailable: optional(integer(500, 599)),
  migrateAfterAuthorizedRequests: optional(integer(1)),
} as const satisfies FieldsOf<PrmKnobs>;

export const AS_KNOBS = {
  issuerPath: required(text({ path: 'or-empty' })),
  metadata: required(listOf(oneOf<AsMetadataForm>({ oauth: true, 'oidc-inserted': true, 'oidc-appended': true }))),
  issuerInMetadata: required(oneOf<AsKnobs['issuerInMetadata']>({ correct: true, other: true })),
  pkceMethods: required(nullable(listOf(text({ nonEmpty: true })))),
  registration: required(bool),
  cimd: required(bool),
  tokenAuthMethods: required(listOf(oneOf<TokenAuthMethod>({ none: true, client_secret_basic: true, client_secret_post: true }), { nonEmpty: true })),
  preRegistered: optional(record<NonNullable<AsKnobs['preRegistered']>>({ client_id: required(text({ nonEmpty: true })), client_secret: optional(text({ nonEmpty: true })) })),
  issParameter: required(oneOf<AsKnobs['issParameter']>({ correct: true, wrong: true, omit: true, normalized: true })),
  issSupported: required(bool),
  state: required(oneOf<AsKnobs['state']>({ echo: true, wrong: true, omit: true })),
  scopesSupported: optional(scopes),
  grantableScopes: optional(scopes),
  accessTokenTtlSeconds: required(integer(1)),
  refreshTokens: required(bool),
  refreshPolicy: optional(oneOf<RefreshPolicyName>({ strict: true, 'grace-same': true, 'grace-sibling': true, 'latest-wins': true, 'no-invalidation': true })),
  refreshGraceMs: optional(integer(0)),
  refreshRejection: optional(oneOf<RefreshRejectionShape>({ invalid_grant: true, '401': true, '403': true, '404': true, unauthorized_client: true })),
  rotateRefreshTokens: optional(bool),
  tokenLatencyMs: optional(listOf(integer(0, 600_000))),
  refreshBarrier: optional(integer(1)),
  tokenFaults: optional(
    listOf(
      record<TokenFault>({
        status: required(oneOfNumbers<TokenFault['status']>({ 429: true, 500: true, 502: true, 503: true })),
        count: required(integer(1)),
        grant: optional(oneOf<NonNullable<TokenFault['grant']>>({ refresh_token: true, authorization_code: true })),
      }),
    ),
  ),
  metadataCacheControl: optional(text({ nonEmpty: true })),
} as const satisfies FieldsOf<AsKnobs>;

export const RS_KNOBS = {
  mcpPath: required(text({ path: 'required' })),
  challengeScope: optional(text()),
  publicMethods: required(listOf(text({ nonEmpty: true }))),
  toolScopes: optional(mapOf(scopes)),
  alwaysInsufficientScope: optional(text({ nonEmpty: true })),
  revokeFirstTokens: optional(integer(0)),
  resourceMetadataPath: optional(text({ path: 'required' })),
  challengeVariation: optional(oneOf<NonNullable<RsKnobs['challengeVariation']>>({ none: true, description: true, order: true })),
  bare403Tools: optional(listOf(text({ nonEmpty: true }))),
  giveUpAfter: optional(integer(1)),
} as const satisfies FieldsOf<RsKnobs>;

export const LEGACY_KNOB: Knob<LegacyMode> = oneOf<LegacyMode>({ 'metadata-at-root': true, 'default-endpoints': true });

/** The sections of WorldKnobs and what each holds; `as2` takes the knobs of `as`. */
export const KNOB_SECTIONS = {
  prm: PRM_KNOBS,
  as: AS_KNOBS,
  rs: RS_KNOBS,
  as2: AS_KNOBS,
  legacy: LEGACY_KNOB,
} as const satisfies Record<keyof WorldKnobs, unknown>;

/** Complete knobs whose parts contradict each other, one line each (a second AS named but absent). */
export function knobConflicts(knobs: WorldKnobs): string[] {
  const conflicts: string[] = [];
  if (!knobs.as2) {
    if (knobs.prm.authorizationServer === 'second') conflicts.push('prm.authorizationServer: "second" needs a second authorization server (an as2 section)');
    if (knobs.prm.migrateAfterAuthorizedRequests !== undefined) conflicts.push('prm.migrateAfterAuthorizedRequests: a migration needs a second authorization server to move to (an as2 section)');
  }
  return conflicts;
}

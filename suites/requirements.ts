// The requirement catalogue every check cites. requirements.md beside this file is its one source:
// people read it as Markdown, the kit parses its tables here. The sections lay their tables out
// differently (MCP tables with a source, an underlying reference and a revision; RFC tables with a
// section; a table with a role column; derived properties; attacks), so a column is known by its
// header, and where a header does not say, the id and keyword columns are known by what they hold.
// A row that cannot be read is an error, never a requirement silently missing.
import { readFileSync } from 'node:fs';
import type { Requirement, RequirementCatalogue } from '../core/requirement.js';

/** C-PKCE-03, O21-AS-10, AT-18: upper-case segments joined by hyphens, ending in two digits. */
export const REQUIREMENT_ID = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{2}$/;

const BCP14_KEYWORD = /\b(?:MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL)\b/;

export class CatalogueError extends Error {
  constructor(line: number, message: string) {
    super(`requirement catalogue, line ${line}: ${message}`);
    this.name = 'CatalogueError';
  }
}

type Field = 'id' | 'keyword' | 'text' | 'source' | 'reference' | 'since' | 'role';

const FIELD_OF_HEADER: Record<string, Field> = {
  id: 'id',
  '#': 'id',
  kw: 'keyword',
  keyword: 'keyword',
  level: 'keyword',
  requirement: 'text',
  property: 'text',
  'property (short)': 'text',
  attack: 'text',
  source: 'source',
  sources: 'source',
  '§': 'source',
  ref: 'reference',
  'underlying ref': 'reference',
  reference: 'reference',
  since: 'since',
  role: 'role',
  'target role': 'role',
};

interface Row {
  line: number;
  cells: string[];
}

interface Table {
  header: string[];
  rows: Row[];
  section: string[];
}

/** Parses the catalogue's Markdown into its requirements, by id, in the order they appear. */
export function parseRequirements(markdown: string): Map<string, Requirement> {
  const catalogue = new Map<string, Requirement>();
  const definedOn = new Map<string, number>();
  for (const table of tables(markdown.split(/\r?\n/))) {
    const fields = columnFields(table);
    if (!fields.includes('id')) continue;
    for (const row of table.rows) {
      const requirement = requirementOf(table, fields, row);
      const earlier = definedOn.get(requirement.id);
      if (earlier !== undefined) throw new CatalogueError(row.line, `${requirement.id} is already defined on line ${earlier}`);
      definedOn.set(requirement.id, row.line);
      catalogue.set(requirement.id, requirement);
    }
  }
  return catalogue;
}

/** Every table with the headings above it; a bold line right before a table is its caption (**Client**). */
function tables(lines: string[]): Table[] {
  const found: Table[] = [];
  const headings: string[] = [];
  let caption: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    // The document title (#) names the whole catalogue, not a section of it.
    const heading = /^(#{2,6})\s+(.+?)\s*#*$/.exec(line);
    if (heading) {
      headings.length = heading[1].length - 2;
      headings.push(plain(heading[2]));
      caption = undefined;
      continue;
    }
    const bold = /^\*\*([^*]+)\*\*$/.exec(line);
    if (bold) {
      caption = plain(bold[1]);
      continue;
    }
    if (!line.startsWith('|') || !isDelimiterRow(lines[i + 1])) {
      if (line !== '') caption = undefined;
      continue;
    }
    const header = splitRow(line);
    const rows: Row[] = [];
    for (i += 2; i < lines.length && lines[i].trim().startsWith('|'); i++) {
      const cells = splitRow(lines[i]);
      if (cells.length !== header.length) throw new CatalogueError(i + 1, `${cells.length} cells in a table of ${header.length} columns`);
      rows.push({ line: i + 1, cells });
    }
    i--;
    found.push({ header, rows, section: [...headings.filter(Boolean), ...(caption === undefined ? [] : [caption])] });
    caption = undefined;
  }
  return found;
}

function isDelimiterRow(line: string | undefined): boolean {
  return line !== undefined && line.trim().startsWith('|') && splitRow(line).every((cell) => /^:?-{3,}:?$/.test(cell));
}

/** The cells of a table row; `\|` is a pipe inside a cell. */
function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.replace(/\\\|/g, '|').trim());
}

/** Bold is emphasis only; code spans stay, since they mark literal values (`S256`). */
function plain(text: string): string {
  return text.replace(/\*\*/g, '').trim();
}

/** What each column holds: by header first, then the id and keyword columns by content, then the text as the first column left. */
function columnFields(table: Table): Array<Field | undefined> {
  const fields: Array<Field | undefined> = [];
  for (const header of table.header) {
    const field = FIELD_OF_HEADER[plain(header).toLowerCase()];
    fields.push(field !== undefined && !fields.includes(field) ? field : undefined);
  }
  const holdsEverywhere = (pattern: RegExp): number =>
    table.rows.length === 0 ? -1 : fields.findIndex((field, k) => field === undefined && table.rows.every((row) => pattern.test(plain(row.cells[k]))));
  if (!fields.includes('id')) {
    const k = holdsEverywhere(REQUIREMENT_ID);
    if (k >= 0) fields[k] = 'id';
  }
  if (!fields.includes('keyword')) {
    const k = holdsEverywhere(BCP14_KEYWORD);
    if (k >= 0) fields[k] = 'keyword';
  }
  if (!fields.includes('text')) {
    const k = fields.indexOf(undefined);
    if (k >= 0) fields[k] = 'text';
  }
  return fields;
}

function requirementOf(table: Table, fields: Array<Field | undefined>, row: Row): Requirement {
  const value = (field: Field): string | undefined => {
    const k = fields.indexOf(field);
    return k < 0 ? undefined : present(row.cells[k]);
  };
  const id = plain(row.cells[fields.indexOf('id')]);
  if (!REQUIREMENT_ID.test(id)) throw new CatalogueError(row.line, `"${id}" is not a requirement id (such as C-PKCE-03)`);
  const text = value('text');
  if (text === undefined) throw new CatalogueError(row.line, `${id} has no text`);
  const more: Record<string, string> = {};
  fields.forEach((field, k) => {
    const cell = present(row.cells[k]);
    if (field === undefined && cell !== undefined) more[plain(table.header[k])] = cell;
  });
  const keyword = value('keyword');
  const source = value('source');
  const reference = value('reference');
  const since = value('since');
  const role = value('role');
  return {
    id,
    ...(keyword === undefined ? {} : { keyword }),
    text,
    ...(source === undefined ? {} : { source }),
    ...(reference === undefined ? {} : { reference }),
    ...(since === undefined ? {} : { since }),
    ...(role === undefined ? {} : { role }),
    section: table.section,
    more,
  };
}

/** A cell's text, or undefined where it is empty or only a dash (the catalogue's "none"). */
function present(cell: string): string | undefined {
  const text = plain(cell);
  return text === '' || /^[-–—]$/.test(text) ? undefined : text;
}

let shipped: RequirementCatalogue | undefined;

/**
 * The catalogue shipped with the kit, parsed once. From the sources (tests, tsx) the Markdown is
 * beside this module; compiled, this module is in dist/suites/ and the package ships the Markdown
 * at suites/, two levels up.
 */
export function requirementCatalogue(): RequirementCatalogue {
  if (shipped) return shipped;
  for (const relative of ['./requirements.md', '../../suites/requirements.md']) {
    let markdown: string;
    try {
      markdown = readFileSync(new URL(relative, import.meta.url), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    shipped = parseRequirements(markdown);
    return shipped;
  }
  throw new Error('the requirement catalogue (suites/requirements.md) is missing from this installation');
}

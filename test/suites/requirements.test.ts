// The requirement catalogue parser, on one table of each layout the catalogue uses and on the
// shipped catalogue itself: nothing it holds may be dropped, merged or misread.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogueError, parseRequirements, REQUIREMENT_ID, requirementCatalogue } from '../../suites/requirements.js';

const only = (markdown: string) => {
  const parsed = [...parseRequirements(markdown).values()];
  expect(parsed).toHaveLength(1);
  return parsed[0];
};

describe('parseRequirements, layout by layout', () => {
  it('reads an MCP table: keyword, text, source, underlying reference, since and the headings above it', () => {
    const requirement = only(`# Title

## 1. MCP authorization spec

### 1.2 MCP client (C)

#### Token use

| ID | KW | Requirement | Source | Underlying ref | since |
|---|---|---|---|---|---|
| C-TOK-02 | MUST | Include authorization on **every** HTTP request | IDX "Token Requirements" | – | 03 (Δ 26 drops "same logical session") |
`);
    expect(requirement).toEqual({
      id: 'C-TOK-02',
      keyword: 'MUST',
      text: 'Include authorization on every HTTP request',
      source: 'IDX "Token Requirements"',
      since: '03 (Δ 26 drops "same logical session")',
      section: ['1. MCP authorization spec', '1.2 MCP client (C)', 'Token use'],
      more: {},
    });
  });

  it('takes "Ref" as the underlying reference and keeps keyword qualifiers and code spans', () => {
    const requirement = only(`| ID | KW | Requirement | Source | Ref | since |
|---|---|---|---|---|---|
| C-PKCE-03 | MUST / MUST NOT | Use \`S256\` when technically capable | SEC | O21 §4.1.1; RFC 7636 §4.2 | 11 |
`);
    expect(requirement).toMatchObject({ keyword: 'MUST / MUST NOT', text: 'Use `S256` when technically capable', reference: 'O21 §4.1.1; RFC 7636 §4.2', since: '11' });
  });

  it('reads a table without reference and revision columns', () => {
    const requirement = only(`| ID | KW | Requirement | Source |
|---|---|---|---|
| C-SBP-02 | SHOULD | Require HTTPS for all OAuth URLs in production | SBP |
`);
    expect(requirement).toMatchObject({ id: 'C-SBP-02', keyword: 'SHOULD', source: 'SBP' });
    expect(requirement).not.toHaveProperty('reference');
    expect(requirement).not.toHaveProperty('since');
  });

  it('reads an RFC table: the section column is the source, a bold line above is the caption', () => {
    const requirement = only(`### 2.1 RFC 9728: Protected Resource Metadata

**Client**
| ID | KW | Requirement | § |
|---|---|---|---|
| PRM-C-03 | MUST | Ignore unknown metadata parameters | §3.2 |
`);
    expect(requirement).toEqual({
      id: 'PRM-C-03',
      keyword: 'MUST',
      text: 'Ignore unknown metadata parameters',
      source: '§3.2',
      section: ['2.1 RFC 9728: Protected Resource Metadata', 'Client'],
      more: {},
    });
  });

  it('reads a table with a role column before the keyword', () => {
    const requirement = only(`| ID | Role | KW | Requirement | § |
|---|---|---|---|---|
| RI-C-01 | C | MUST | \`resource\` is an **absolute URI** | §2 |
`);
    expect(requirement).toMatchObject({ id: 'RI-C-01', role: 'C', keyword: 'MUST', text: '`resource` is an absolute URI', source: '§2' });
  });

  it('reads a table of id, keyword and text only', () => {
    const requirement = only(`| ID | KW | Requirement |
|---|---|---|
| CIMD-AS-03 | SHOULD | Abort the authorization request if the document fetch fails |
`);
    expect(requirement).toEqual({ id: 'CIMD-AS-03', keyword: 'SHOULD', text: 'Abort the authorization request if the document fetch fails', section: [], more: {} });
  });

  it('reads derived properties: no keyword, and a column it has no field for is kept under its header', () => {
    const requirement = only(`## 5. Robustness properties

| ID | Label | Property (short) |
|---|---|---|
| RT-C-01 | C1 | Never present a refresh token that the shared store had already superseded |
`);
    expect(requirement).toEqual({
      id: 'RT-C-01',
      text: 'Never present a refresh token that the shared store had already superseded',
      section: ['5. Robustness properties'],
      more: { Label: 'C1' },
    });
  });

  it('reads the attack table: "#" is the id, the attack its text, the other columns kept', () => {
    const requirement = only(`| # | Attack | Target role | What the test does | Pass criterion | Sources |
|---|---|---|---|---|---|
| AT-18 | **Step-up loop** | Client | RS always returns 403 \`insufficient_scope\` | Client stops after a few attempts | C-STP-04 |
`);
    expect(requirement).toEqual({
      id: 'AT-18',
      text: 'Step-up loop',
      source: 'C-STP-04',
      role: 'Client',
      section: [],
      more: { 'What the test does': 'RS always returns 403 `insufficient_scope`', 'Pass criterion': 'Client stops after a few attempts' },
    });
  });

  it('finds the id and keyword columns by what they hold when the headers do not say', () => {
    const requirement = only(`| Statement | Item | Strength |
|---|---|---|
| Send \`state\` | X-ST-01 | SHOULD |
`);
    expect(requirement).toMatchObject({ id: 'X-ST-01', keyword: 'SHOULD', text: 'Send `state`' });
  });

  it('takes an escaped pipe as part of a cell, and a dash as no value', () => {
    const requirement = only(`| ID | KW | Requirement | Source | Ref | since |
|---|---|---|---|---|---|
| C-X-01 | – | Accept \`a\\|b\` | — | - | 26 |
`);
    expect(requirement).toEqual({ id: 'C-X-01', text: 'Accept `a|b`', since: '26', section: [], more: {} });
  });

  it('skips tables that hold no requirement ids, and prose around the tables', () => {
    const parsed = parseRequirements(`## 0.1 Sources

| Tag | What | Where |
|---|---|---|
| **IDX** | index.mdx | same dir |

**AS**: \`protected_resources\` (OPTIONAL) is an AS-metadata array, not a requirement row.

| ID | KW | Requirement |
|---|---|---|
| A-X-01 | MAY | Something |
`);
    expect([...parsed.keys()]).toEqual(['A-X-01']);
    expect(parsed.get('A-X-01')!.section).toEqual(['0.1 Sources']);
  });
});

describe('parseRequirements, refusing what it cannot read', () => {
  const table = (rows: string) => `| ID | KW | Requirement |\n|---|---|---|\n${rows}`;

  it('a row with more or fewer cells than its header (a stray pipe)', () =>
    expect(() => parseRequirements(table('| C-X-01 | MUST | a | b |\n'))).toThrow(new CatalogueError(3, '4 cells in a table of 3 columns')));

  it('an id column cell that is not an id', () =>
    expect(() => parseRequirements(table('| C-X-1 | MUST | a |\n'))).toThrow(/line 3: "C-X-1" is not a requirement id/));

  it('a requirement without text', () => expect(() => parseRequirements(table('| C-X-01 | MUST | – |\n'))).toThrow(/line 3: C-X-01 has no text/));

  it('the same id twice, naming both lines', () =>
    expect(() => parseRequirements(table('| C-X-01 | MUST | a |\n| C-X-01 | SHOULD | b |\n'))).toThrow(/line 4: C-X-01 is already defined on line 3/));
});

describe('the shipped catalogue', () => {
  const markdown = readFileSync(new URL('../../suites/requirements.md', import.meta.url), 'utf8');
  const catalogue = requirementCatalogue();
  // Found without the parser: the first cell of every table row that looks like an id.
  const idRows = markdown
    .split('\n')
    .map((line) => /^\|\s*([^|]+?)\s*\|/.exec(line)?.[1].replace(/\*\*/g, ''))
    .filter((cell): cell is string => cell !== undefined && REQUIREMENT_ID.test(cell));

  it('is the Markdown beside the parser', () => expect([...catalogue.keys()]).toEqual([...parseRequirements(markdown).keys()]));

  it('parses every id row, each id once', () => {
    expect(idRows.length).toBeGreaterThan(300);
    expect([...catalogue.keys()]).toEqual(idRows);
  });

  it('gives every requirement a text and a section', () => {
    for (const requirement of catalogue.values()) {
      expect(requirement.text, requirement.id).not.toBe('');
      expect(requirement.section.length, requirement.id).toBeGreaterThan(0);
    }
  });

  it('holds a BCP 14 keyword, or a note in brackets, in every keyword it gives', () => {
    for (const requirement of catalogue.values()) {
      if (requirement.keyword !== undefined) expect(requirement.keyword, requirement.id).toMatch(/MUST|SHALL|SHOULD|MAY|REQUIRED|RECOMMENDED|OPTIONAL|^\(.+\)$|\[.+\]/i);
    }
  });

  it('refers only to ids it defines', () => {
    const referred = new Set(markdown.match(/\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{2}\b/g) ?? []);
    // RFC and draft names share the shape (draft-ietf-oauth-v2-1-13 is lower case; these are not).
    const unknown = [...referred].filter((id) => !catalogue.has(id) && !/^(?:SEP|PR)-/.test(id));
    expect(unknown).toEqual([]);
  });
});

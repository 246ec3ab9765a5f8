// MCP specification revisions the kit knows. `2025-03-26` is only used as the wire version of the
// back-compat scenarios; it cannot be chosen with --spec-version.
export const SPEC_VERSIONS = ['2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const;
export type SpecVersion = (typeof SPEC_VERSIONS)[number];

export const SELECTABLE_SPEC_VERSIONS = ['2025-06-18', '2025-11-25', '2026-07-28'] as const satisfies readonly SpecVersion[];
export type SelectableSpecVersion = (typeof SELECTABLE_SPEC_VERSIONS)[number];

/** The latest dated revision; the default for every run. */
export const LATEST_SPEC_VERSION: SelectableSpecVersion = '2026-07-28';

/** Every revision from `first` on (inclusive): how requirements that were added in one revision are scoped. */
export function since(first: SpecVersion): SpecVersion[] {
  return SPEC_VERSIONS.slice(SPEC_VERSIONS.indexOf(first));
}

/** Every revision up to `last` (inclusive). */
export function until(last: SpecVersion): SpecVersion[] {
  return SPEC_VERSIONS.slice(0, SPEC_VERSIONS.indexOf(last) + 1);
}

export function isSelectableSpecVersion(value: string): value is SelectableSpecVersion {
  return (SELECTABLE_SPEC_VERSIONS as readonly string[]).includes(value);
}

const MCP_SPEC_BASE = 'https://modelcontextprotocol.io/specification';

/** Link into the MCP authorization text of a revision; `anchor` is the heading slug. */
export function mcpSpecLink(version: SpecVersion, anchor = ''): string {
  const page = version === '2026-07-28' ? 'basic/authorization' : 'basic/authorization';
  return `${MCP_SPEC_BASE}/${version}/${page}${anchor ? `#${anchor}` : ''}`;
}

export const RFC = (n: number, section?: string): string =>
  `https://www.rfc-editor.org/rfc/rfc${n}${section ? `#section-${section}` : ''}`;

export const OAUTH21 = (section: string): string =>
  `https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1-13#section-${section}`;

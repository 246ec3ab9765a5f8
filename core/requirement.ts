// What a check cites: one entry of the requirement catalogue. The catalogue itself is spec data and
// lives with the suites; the model is here so that the commands can show it without importing them.

export interface Requirement {
  /** C-PKCE-03, PRM-C-04, RT-C-01, AT-18... */
  id: string;
  /**
   * The BCP 14 keyword as the catalogue states it, qualifiers included ("MUST / MUST NOT",
   * "(flow) + SHOULD", "OPTIONAL→[MCP↑ MUST ≥1]"). Absent for derived properties and attacks.
   */
  keyword?: string;
  text: string;
  /** Where it is stated: an MCP page and heading, or a section of the RFC its table is about. */
  source?: string;
  /** The RFC or draft section underneath, where the table names one. */
  reference?: string;
  /** The revision that introduced it, in the catalogue's notation ("11 (06: MUST use RFC 8414 only)"). */
  since?: string;
  /** The party it binds, where the table says so (C, AS, RS, Client...). */
  role?: string;
  /** The headings above its table, outermost first, ending with the table's caption if it has one. */
  section: string[];
  /** Columns the fields above do not cover (an attack's pass criterion...), by their header. */
  more: Record<string, string>;
}

export type RequirementCatalogue = ReadonlyMap<string, Requirement>;

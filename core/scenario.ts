import type { CheckDef } from './check.js';
import type { SpecVersion } from './spec.js';
import type { WorldFacts } from './trace.js';
import type { WorldKnobs } from '../mocks/knobs.js';

/** A client scenario is data: the world it builds, how the client is started, and the checks that judge it. */
export interface ClientScenario {
  /** Stable id; the official suite's name where the scenario is equivalent (auth/metadata-default). */
  id: string;
  title: string;
  /** What the world does and what a correct client must do, in a sentence or two. */
  description: string;
  /** Suites besides `all` that contain the scenario. */
  suites: string[];
  /** Revisions at which the scenario applies. */
  specVersions: SpecVersion[];
  /** MCP_CONFORMANCE_PROTOCOL_VERSION handed to the client when it differs from the run's version. */
  protocolVersion?: SpecVersion;
  world: WorldKnobs;
  /** MCP_CONFORMANCE_CONTEXT, built from the started world. */
  context?: (facts: WorldFacts) => Record<string, unknown>;
  /**
   * A correct client refuses to go on here (a mix-up, a missing PKCE advertisement...), so its
   * exit code is not held against it.
   */
  clientRefuses?: boolean;
  checks: CheckDef[];
}

/** The suites a user can name with --suite (`all` is implicit). */
export const SUITES = ['all', 'core', 'metadata', 'registration', 'pkce', 'resource', 'scope', 'token', 'response', 'backcompat'] as const;

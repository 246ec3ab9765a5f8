import type { CheckDef } from './check.js';
import type { SpecVersion } from './spec.js';
import type { WorldFacts } from './trace.js';
import type { Arbitrary } from 'fast-check';
import type { ServerDrive } from './targets/server/drive.js';
import type { AuthorizationServerDrive } from './targets/authorization-server/drive.js';
import type { Trace } from './trace.js';
import type { KnobOverrides, WorldKnobs } from '../mocks/knobs.js';

/** What every scenario of every role has: how it is named, selected and listed, and its checks. */
export interface ScenarioBase {
  /** Stable id; the official suite's name where the scenario is equivalent (auth/metadata-default). */
  id: string;
  title: string;
  /** What the world does and what a correct target must do, in a sentence or two. */
  description: string;
  /** Suites besides `all` that contain the scenario. */
  suites: string[];
  /** Revisions at which the scenario applies. */
  specVersions: SpecVersion[];
  /** The protocol revision the world speaks, when it differs from the run's version. */
  protocolVersion?: SpecVersion;
  /**
   * Ids of preconditions (core/check.ts Precondition) that this world makes mandatory: checks whose
   * precondition is otherwise optional behaviour fail here when it never happened.
   */
  requires?: string[];
  /**
   * The checks the scenario exists for, where others are judged beside them: when none of these
   * applied to what the target did, the scenario is skipped as not exercised. Default: all of its checks.
   */
  about?: string[];
  checks: CheckDef[];
}

/** A client scenario is data: the world it builds, how the client is started, and the checks that judge it. */
export interface ClientScenario extends ScenarioBase {
  world: WorldKnobs;
  /**
   * MCP_CONFORMANCE_CONTEXT, built from the started world; the engine adds `name`, the scenario id,
   * as the official runner does.
   */
  context?: (facts: WorldFacts) => Record<string, unknown>;
  /**
   * A correct client refuses to go on here (a mix-up, a missing PKCE advertisement...), so its
   * exit code is not held against it.
   */
  clientRefuses?: boolean;
  /**
   * Starts of the client command, in order, all against the same world and state directory (the
   * world keeps its registered clients, tokens and refresh families between them). Default: one run
   * of one instance.
   */
  runs?: ClientRun[];
  /** Makes the scenario a property: the world and runs are drawn by fast-check (race scenarios). */
  property?: ScenarioProperty;
  /**
   * Checks of optional behaviour the scenario's flow needs (step-up support): when one of them is
   * unmet, the client's unsuccessful exit is its consequence, and client-process does not apply.
   */
  exitExplainedBy?: string[];
}

/**
 * The checks judged at a revision: those whose requirement holds at the run's revision and, where
 * the world speaks an older protocol revision (protocolVersion), at that one too. The revision the
 * server speaks governs its authorization exchange: a 2025-03-26 server's flow is not held to
 * requirements that came later.
 */
export function checksAt(scenario: Pick<ScenarioBase, 'checks' | 'protocolVersion'>, version: SpecVersion): CheckDef[] {
  const wire = scenario.protocolVersion;
  return scenario.checks.filter((check) => check.specVersions.includes(version) && (wire === undefined || check.specVersions.includes(wire)));
}

/** One start of the client command; several copies at once when `instances` > 1. */
export interface ClientRun {
  /** What this run is for, in reports ("cold start", "after expiry", "racing copies"). */
  label: string;
  /** Copies started together, sharing the state directory (default 1). */
  instances?: number;
  /** Milliseconds after the run starts at which each copy starts (default: all at once). */
  startOffsetsMs?: number[];
  /** Knob changes applied to the world before this run, on top of the scenario's and earlier runs' (faults, a new authorization server...). */
  world?: KnobOverrides;
  /** Expire every access token issued so far, server-side, before this run. */
  expireTokens?: boolean;
  /** Revoke every refresh-token family issued so far, server-side, before this run (the user revoked access). */
  revokeRefreshTokens?: boolean;
  /** A correct client is expected to exit non-zero in this run (a terminal auth failure). */
  clientRefuses?: boolean;
}

/** What a property scenario draws, and how a drawn case becomes a world and runs. */
export interface ScenarioProperty<Case = any> {
  /** The cases fast-check draws and shrinks. */
  cases: Arbitrary<Case>;
  /** A drawn case as world knobs (over the scenario's) and runs. */
  build(c: Case): { world?: KnobOverrides; runs: ClientRun[] };
  /** A drawn case in one line, for the report of a counterexample. */
  describe(c: Case): string;
  /** Property runs when the user gives no --runs. */
  defaultRuns: number;
  /** Cases run before any drawn one, counted in the runs: the interleavings known to be hardest. */
  examples?: Case[];
}

/**
 * A server scenario is data too: the requests it sends the server under test (through the drive,
 * which mints its tokens and records every exchange) and the checks that judge the trace.
 */
export interface ServerScenario extends ScenarioBase {
  /** Sends the scenario's requests. Never judges: what the server answered is for the checks. */
  drive?: (drive: ServerDrive) => Promise<void>;
  /** Makes the scenario a property: fast-check draws requests, each case sent and judged alone. */
  property?: ServerProperty;
}

/** What a server property scenario draws, and how a drawn case is sent. */
export interface ServerProperty<Case = any> {
  cases: Arbitrary<Case>;
  /** Sends one case; its exchanges alone are judged by the scenario's checks. */
  send(drive: ServerDrive, c: Case): Promise<void>;
  /** A case in one line, for the report of a counterexample. */
  describe(c: Case): string;
  defaultRuns: number;
  examples?: Case[];
}

/**
 * An authorization-server scenario: the requests it sends the authorization server under test
 * (through the drive, which acts as an MCP client and as the user's browser) and the checks.
 */
export interface AuthorizationServerScenario extends ScenarioBase {
  /**
   * What the scenario cannot run without: a client to act as (registered or given), a login that
   * completes (a trial authorization before the scenarios), a registration endpoint (registration is
   * optional), advertised support for client ID metadata documents (the kit then hosts them on
   * loopback HTTPS). Without a client, a registration endpoint or CIMD it is not applicable;
   * without a login the target could not be run as configured, and the run says so (exit code 3).
   */
  needs?: Array<'client' | 'login' | 'registration' | 'cimd'>;
  /** Sends the scenario's requests. Never judges. */
  drive?: (drive: AuthorizationServerDrive) => Promise<void>;
  property?: AuthorizationServerProperty;
}

export interface AuthorizationServerProperty<Case = any> {
  cases: Arbitrary<Case>;
  /** Sends one case; its exchanges alone are judged by the scenario's checks. */
  send(drive: AuthorizationServerDrive, c: Case): Promise<void>;
  describe(c: Case): string;
  /**
   * Sorts a case's trace into an outcome ("2 successes, 2 successors, both alive"): the report gives
   * how often each came up, since one race says little about the next.
   */
  outcome?(trace: Trace): string;
  defaultRuns: number;
  examples?: Case[];
}

// The authorization-server suite: authorization servers judged as MCP clients and their users meet
// them, in the order they run (what a client reads first, then what it does).
import type { AuthorizationServerScenario } from '../../core/scenario.js';
import { authorizationScenarios } from './scenarios/authorization.js';
import { cimdScenarios } from './scenarios/cimd.js';
import { discoveryScenarios } from './scenarios/discovery.js';
import { raceScenarios } from './scenarios/races.js';
import { tokenScenarios } from './scenarios/tokens.js';

export const authorizationServerScenarios: AuthorizationServerScenario[] = [...discoveryScenarios, ...cimdScenarios, ...authorizationScenarios, ...tokenScenarios, ...raceScenarios];

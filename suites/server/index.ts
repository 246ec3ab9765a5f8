// The server suite: MCP servers judged as OAuth resource servers, in the order they run (the key
// rotation after every scenario that relies on the issuer's first key being the only one).
import type { ServerScenario } from '../../core/scenario.js';
import { discoveryScenarios } from './scenarios/discovery.js';
import { keysAndUpstreamScenarios } from './scenarios/keys-and-upstream.js';
import { manyScenarios } from './scenarios/many.js';
import { scopeScenarios } from './scenarios/scope.js';
import { validationScenarios } from './scenarios/validation.js';

export const serverScenarios: ServerScenario[] = [...discoveryScenarios, ...validationScenarios, ...scopeScenarios, ...manyScenarios, ...keysAndUpstreamScenarios];

// The client suite: every scenario, in the order `list` shows them.
import type { ClientScenario } from '../../core/scenario.js';
import { backcompatScenarios } from './scenarios/backcompat.js';
import { discoveryScenarios } from './scenarios/discovery.js';
import { pkceScenarios } from './scenarios/pkce.js';
import { registrationScenarios } from './scenarios/registration.js';
import { responseScenarios } from './scenarios/response.js';
import { scopeScenarios } from './scenarios/scope.js';

export const clientScenarios: ClientScenario[] = [
  ...discoveryScenarios,
  ...registrationScenarios,
  ...pkceScenarios,
  ...scopeScenarios,
  ...responseScenarios,
  ...backcompatScenarios,
];

// The client suite: every scenario, in the order `list` shows them.
import type { ClientScenario } from '../../core/scenario.js';
import { backcompatScenarios } from './scenarios/backcompat.js';
import { cachingScenarios } from './scenarios/caching.js';
import { discoveryScenarios } from './scenarios/discovery.js';
import { pkceScenarios } from './scenarios/pkce.js';
import { refreshScenarios } from './scenarios/refresh.js';
import { registrationScenarios } from './scenarios/registration.js';
import { responseScenarios } from './scenarios/response.js';
import { scopeScenarios } from './scenarios/scope.js';
import { stepUpScenarios } from './scenarios/step-up.js';

export const clientScenarios: ClientScenario[] = [
  ...discoveryScenarios,
  ...registrationScenarios,
  ...pkceScenarios,
  ...scopeScenarios,
  ...stepUpScenarios,
  ...responseScenarios,
  ...backcompatScenarios,
  ...refreshScenarios,
  ...cachingScenarios,
];

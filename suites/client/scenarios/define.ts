import type { ClientScenario } from '../../../core/scenario.js';
import { knobs, type KnobOverrides } from '../../../mocks/knobs.js';

/** Scenario data with the world given as overrides of the default knobs. */
export function scenario(s: Omit<ClientScenario, 'world'> & { world?: KnobOverrides }): ClientScenario {
  return { ...s, world: knobs(s.world) };
}

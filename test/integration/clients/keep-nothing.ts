// The mutant client without defects (test/mutants/client.ts): written from the specification with
// fetch and node:crypto, it keeps nothing between starts, as a client need not. Its verdicts are what
// such a correct client gets: no failure, and warnings only where a SHOULD asks for what keeping
// credentials would give.
import path from 'node:path';
import { shellQuote } from '../../../core/targets/client/process.js';
import { COLD_AT_EVERY_START, type ClientPins } from '../../support/compatibility.js';
import { MUTANT_CLIENT, ROOT } from '../../support/compiled.js';


export const keepNothingClient: ClientPins = {
  name: 'keeps nothing',
  about:
    'The kit\'s second client written from the specification ([`test/mutants/client.ts`](test/mutants/client.ts), without defects): correct in every flow, but it keeps nothing between starts, which no text requires. It shows what such a client gets: no failure; warnings where a SHOULD asks for what kept credentials would give, and the checks that need a refresh or a warm start not applicable.',
  build: MUTANT_CLIENT,
  // The defect list set empty, so none left in a developer's shell can leak in.
  command: `MUTANT_DEFECTS= ${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, MUTANT_CLIENT.compiled))}`,
  findings: [
    {
      why: 'It keeps no tokens between starts, so a later start authorizes again while the refresh token lives (RT-C-08, a SHOULD), and registers again (DC-C-08); the checks of a refresh or a warm start have nothing to judge.',
      verdicts: COLD_AT_EVERY_START,
    },
    {
      why: 'It keeps no discovery documents, so copies starting together each fetch them (DC-C-06, a SHOULD); and a PRM outage leaves it no authorization server it knew, so it gives up, which is all it can do.',
      verdicts: { 'auth/discovery-concurrent-cold-start:discovery-single-flight': 'warn', 'auth/discovery-outage:discovery-outage-keeps-last-known-good': 'skip' },
    },
  ],
  counterexamples: {
    'auth/refresh-race': {
      why: 'Every racing copy starts cold and authorizes, since nothing is kept: no refresh races, and refresh-no-reauthorization warns (RT-C-08).',
      says: /authorized again/,
      severity: 'warn',
    },
  },
};

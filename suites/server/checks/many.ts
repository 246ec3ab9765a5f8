// Many requests at once, and many drawn at random (RS-P-01, RS-P-04): a token the server accepts
// alone it accepts in a crowd, one it refuses alone it refuses in a crowd, and no shape of token or
// header makes it take an invalid one or fall over.
import { met, missing, skip, unmet, type CheckDef } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { describeAnswer, ev, kitRequests, served } from '../observe.js';

const ALL = since('2025-03-26');

/** Labels of requests whose token the server must accept, must refuse, or may do either with (malformed requests). */
export const MANY_LABEL = {
  burstValid: 'burst-valid',
  burstInvalid: 'burst-invalid',
  fuzzValid: 'fuzz-valid',
  fuzzInvalid: 'fuzz-invalid',
  fuzzMalformed: 'fuzz-malformed',
};

function withLabel(trace: Trace, label: string): Exchange[] {
  return kitRequests(trace).filter((e) => e.label === label || e.label?.startsWith(`${label}:`) === true);
}

/** What the label after the kind says about the request: the case, as the scenario described it. */
const caseOf = (e: Exchange): string => e.label?.split(':').slice(1).join(':') || (e.label ?? '');

/** A drawn case may hold no request of a kind: then the check has nothing to judge in it. */
type WhenNone = 'missing' | 'skip';

function none(whenNone: WhenNone, message: string) {
  return whenNone === 'skip' ? skip(`this case sent no such request: ${message}`) : missing(message);
}

/**
 * `authOnly`: only refusals that judge the token (401, 403) count; a burst may meet a rate limit
 * (429) or back-pressure, which say nothing about the token and are not defects of authorization.
 */
function allAccepted(id: string, title: string, label: string, requirements: string[], context: string, whenNone: WhenNone, authOnly: boolean): CheckDef {
  return {
    id,
    title,
    requirements,
    level: 'MUST',
    specVersions: ALL,
    specLinks: [LINK.rfc6750Header],
    judge: (trace) => {
      const requests = withLabel(trace, label).filter((e) => e.response);
      if (requests.length === 0) return none(whenNone, `no request with a valid token ${context} got an answer`);
      const refused = requests.filter((e) => !served(e) && (!authOnly || e.response?.status === 401 || e.response?.status === 403));
      if (refused.length > 0) return unmet(`${refused.length} of ${requests.length} requests with a valid token ${context} were refused: ${refused.slice(0, 3).map((e) => `#${e.id} ${caseOf(e)} ${describeAnswer(e)}`).join('; ')}`, refused.slice(0, 3).map((e) => ev(e, 'request.header.authorization', caseOf(e))));
      return met(`all ${requests.length} requests with a valid token ${context} were served`);
    },
  };
}

function allRefused(id: string, title: string, label: string, context: string, whenNone: WhenNone): CheckDef {
  return {
    id,
    title,
    requirements: ['S-TOK-01', 'S-TOK-05', 'RS-P-04'],
    level: 'MUST',
    specVersions: ALL,
    specLinks: [LINK.tokenHandling],
    judge: (trace) => {
      const requests = withLabel(trace, label).filter((e) => e.response);
      if (requests.length === 0) return none(whenNone, `no request with an invalid token ${context} got an answer`);
      const accepted = requests.filter((e) => served(e));
      if (accepted.length > 0) return unmet(`${accepted.length} of ${requests.length} requests with an invalid token ${context} were served: ${accepted.slice(0, 3).map((e) => `#${e.id} ${caseOf(e)}`).join('; ')}`, accepted.slice(0, 3).map((e) => ev(e, 'request.header.authorization', caseOf(e))));
      return met(`all ${requests.length} requests with an invalid token ${context} were refused`);
    },
  };
}

export const burstValidAccepted = allAccepted('burst-valid-accepted', 'valid tokens sent at once are never refused as unauthorized', MANY_LABEL.burstValid, ['BRR-RS-07', 'RS-P-04'], 'sent at once', 'missing', true);
export const burstInvalidRefused = allRefused('burst-invalid-refused', 'invalid tokens sent at once are all refused', MANY_LABEL.burstInvalid, 'sent at once', 'missing');
export const fuzzValidAccepted = allAccepted('fuzz-valid-accepted', 'a valid token is accepted in every shape the grammar allows', MANY_LABEL.fuzzValid, ['BRR-RS-07'], 'in a drawn header shape', 'skip', false);
export const fuzzInvalidRefused = allRefused('fuzz-invalid-refused', 'a drawn invalid token is refused', MANY_LABEL.fuzzInvalid, 'drawn at random', 'skip');

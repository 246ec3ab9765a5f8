// Scope (S-ERR-01/02, RFC 6750 §3.1, MCP "Scope Challenge Handling"): a valid token without the scope
// an operation needs does not get the operation, gets 403, and the challenge says what to ask for.
import { met, missing, skip, unmet, type CheckDef } from '../../../core/check.js';
import { jsonRpcReply } from '../../../core/targets/server/json-rpc.js';
import { since } from '../../../core/spec.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { validBaseline } from './validation.js';
import { bearerParam, challengeEvidence, describeAnswer, ev, factsOf, labelled, served, statusOf } from '../observe.js';

const ALL = since('2025-03-26');

/** The label of each stated tool scope's requests. */
export const SCOPE_LABEL = {
  noScope: 'no-scope',
  allowed: (tool: string) => `tool-allowed:${tool}`,
  session: (tool: string) => `tool-session:${tool}`,
  withheld: (tool: string) => `tool-without-scope:${tool}`,
};

/** A tools/call the tool answered: served, and not a tool error. */
function toolRan(e: Exchange | undefined): boolean {
  const result = jsonRpcReply(e?.response)?.result as { isError?: unknown } | undefined;
  return served(e) && result?.isError !== true;
}

/**
 * One withheld-scope attempt: the refusal, wherever it came (at initialize or at the call), and the
 * scopes the operation was stated to need (none for the scope-less token: the server says which).
 */
interface Refusal {
  e: Exchange;
  needed: string[];
  what: string;
}

/** Every request the server refused for want of a scope the kit withheld. */
function refusals(trace: Trace): Refusal[] {
  const facts = factsOf(trace);
  const found: Refusal[] = [];
  const noScope = labelled(trace, SCOPE_LABEL.noScope);
  if (noScope?.response && !served(noScope)) found.push({ e: noScope, needed: [], what: 'a token with no scope' });
  for (const [tool, scopes] of Object.entries(facts.toolScopes)) {
    const session = labelled(trace, SCOPE_LABEL.session(tool));
    const call = labelled(trace, SCOPE_LABEL.withheld(tool));
    const refused = session?.response && !served(session) ? session : call?.response && !toolRan(call) ? call : undefined;
    if (refused) found.push({ e: refused, needed: scopes, what: `calling ${tool} without ${scopes.join(' ')}` });
  }
  return found;
}

export const scopeEnforced: CheckDef = {
  id: 'scope-enforced',
  title: 'a token without the scope an operation needs does not get the operation',
  requirements: ['S-TOK-01', 'AT-17'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.tokenHandling, LINK.insufficientScope],
  judge: (trace) => {
    const baseline = validBaseline(trace);
    if ('outcome' in baseline) return baseline;
    const facts = factsOf(trace);
    const tools = Object.entries(facts.toolScopes);
    if (tools.length === 0) {
      const noScope = labelled(trace, SCOPE_LABEL.noScope);
      if (noScope && !served(noScope) && statusOf(noScope) === 403) return met(`a token with no scope was refused (#${noScope.id}, 403)`, [ev(noScope)]);
      return skip('not applicable: the server asked for no scope the kit could withhold (name one with --tool-scope tool=scope)');
    }
    for (const [tool, scopes] of tools) {
      const allowed = labelled(trace, SCOPE_LABEL.allowed(tool));
      if (!allowed) return missing(`the kit did not call ${tool}`);
      if (!toolRan(allowed)) return missing(`${tool} did not run even with every scope (#${allowed.id}, ${describeAnswer(allowed)}), so a refusal without ${scopes.join(' ')} says nothing`, [ev(allowed)]);
      const session = labelled(trace, SCOPE_LABEL.session(tool));
      const call = labelled(trace, SCOPE_LABEL.withheld(tool));
      if (served(session) && toolRan(call)) return unmet(`${tool} ran for a token without ${scopes.join(' ')} (#${call!.id}), the scope it was stated to need`, [ev(call!, 'request.header.authorization', `scope lacks ${scopes.join(' ')}`)]);
    }
    return met(`no tool ran without its scope (${tools.map(([tool, scopes]) => `${tool}: ${scopes.join(' ')}`).join('; ')})`);
  },
};

export const insufficientScope403: CheckDef = {
  id: 'insufficient-scope-403',
  title: 'insufficient scope gets 403',
  requirements: ['S-ERR-01', 'BRR-RS-05'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.errorHandling, LINK.rfc6750Errors],
  judge: (trace) => {
    // A server that refuses the valid token too refuses for some other reason than scope.
    const baseline = validBaseline(trace);
    if ('outcome' in baseline) return baseline;
    const refused = refusals(trace);
    if (refused.length === 0) return skip('the server refused nothing for want of scope');
    const wrong = refused.filter((r) => statusOf(r.e) !== 403);
    if (wrong.length > 0) return unmet(`refused for want of scope with ${wrong.map((r) => `${describeAnswer(r.e)} (${r.what}, #${r.e.id})`).join('; ')} instead of 403`, wrong.map((r) => ev(r.e, 'response.status', r.what)));
    return met(`every refusal for want of scope was a 403 (${refused.map((r) => `#${r.e.id}`).join(', ')})`);
  },
};

export const insufficientScopeChallenge: CheckDef = {
  id: 'insufficient-scope-challenge',
  title: 'the 403 says insufficient_scope, the scopes needed, and resource_metadata',
  requirements: ['S-ERR-02', 'S-ERR-03', 'S-ERR-04'],
  level: 'SHOULD',
  specVersions: since('2025-11-25'),
  specLinks: [LINK.insufficientScope, LINK.rfc6750Errors],
  judge: (trace) => {
    const baseline = validBaseline(trace);
    if ('outcome' in baseline) return baseline;
    const forbidden = refusals(trace).filter((r) => statusOf(r.e) === 403);
    if (forbidden.length === 0) return skip('no refusal for want of scope was a 403');
    for (const r of forbidden) {
      const error = bearerParam(r.e, 'error');
      const scope = bearerParam(r.e, 'scope')?.split(' ') ?? [];
      const missingScopes = r.needed.filter((s) => !scope.includes(s));
      if (error !== 'insufficient_scope') return unmet(`the 403 to ${r.what} (#${r.e.id}) says error=${error ?? '(none)'}, not insufficient_scope, so no client knows to step up`, [challengeEvidence(r.e)]);
      if (scope.length === 0) return unmet(`the 403 to ${r.what} (#${r.e.id}) names no scope, so a client cannot know what to ask for`, [challengeEvidence(r.e)]);
      if (missingScopes.length > 0) return unmet(`the 403 to ${r.what} (#${r.e.id}) names ${scope.join(' ')} but not ${missingScopes.join(' ')}: one challenge should carry every scope the operation needs`, [challengeEvidence(r.e)]);
      if (!bearerParam(r.e, 'resource_metadata')) return unmet(`the 403 to ${r.what} (#${r.e.id}) carries no resource_metadata`, [challengeEvidence(r.e)]);
    }
    return met(`every 403 says insufficient_scope with the scopes needed and resource_metadata`, forbidden.map((r) => challengeEvidence(r.e)));
  },
};

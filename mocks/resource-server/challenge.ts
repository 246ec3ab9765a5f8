// WWW-Authenticate: Bearer challenges (RFC 6750 §3, RFC 9728 §5.1).

type ChallengeParameter = [name: string, value: string | undefined];

/**
 * Parameters in the given order, absent ones left out. RFC 6750 §3: the scheme "MUST be followed by
 * one or more auth-param values", so a challenge with nothing else to say names its realm.
 */
export function bearerChallenge(...parameters: ChallengeParameter[]): string {
  const present = parameters.filter((p): p is [string, string] => p[1] !== undefined);
  if (present.length === 0) return 'Bearer realm="mcp"';
  return 'Bearer ' + present.map(([name, value]) => `${name}="${value.replace(/["\\]/g, '\\$&')}"`).join(', ');
}

export interface ChallengeSettings {
  /** The PRM URL to name, when the server advertises one. */
  resourceMetadata?: string;
  /** The scope a client should request, when the server names one. */
  scope?: string;
}

/** RFC 6750 §3.1: a request without a token gets no error code. */
export function missingTokenChallenge(settings: ChallengeSettings): string {
  return bearerChallenge(['resource_metadata', settings.resourceMetadata], ['scope', settings.scope]);
}

export function invalidTokenChallenge(settings: ChallengeSettings, description: string): string {
  return bearerChallenge(['error', 'invalid_token'], ['error_description', description], ['resource_metadata', settings.resourceMetadata]);
}

export function insufficientScopeChallenge(settings: ChallengeSettings, requiredScope: string): string {
  return bearerChallenge(['error', 'insufficient_scope'], ['scope', requiredScope], ['resource_metadata', settings.resourceMetadata]);
}

/** Builds each successive 403 insufficient_scope challenge. */
export type InsufficientScopeChallenge = (requiredScope: string) => string;

export interface ChallengeCounter {
  sent: number;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/**
 * Challenge builders for `rs.challengeVariation`. The varying ones say the same thing every time
 * in a different string, which is what defeats a loop guard comparing WWW-Authenticate values
 * (typescript-sdk v1 `_lastUpscopingHeader`) while a guard counting attempts still stops.
 */
export const insufficientScopeChallenges: Record<'none' | 'description' | 'order', (settings: ChallengeSettings, counter: ChallengeCounter) => InsufficientScopeChallenge> = {
  none: (settings) => (scope) => insufficientScopeChallenge(settings, scope),
  description: (settings, counter) => (scope) =>
    bearerChallenge(
      ['error', 'insufficient_scope'],
      ['error_description', `the operation needs more scope (challenge ${++counter.sent})`],
      ['scope', scope],
      ['resource_metadata', settings.resourceMetadata],
    ),
  order: (settings, counter) => (scope) => {
    const parameters: ChallengeParameter[] = [
      ['error', 'insufficient_scope'],
      ['scope', scope],
      ['resource_metadata', settings.resourceMetadata],
    ];
    const orders = permutations(parameters.filter((p) => p[1] !== undefined));
    return bearerChallenge(...orders[counter.sent++ % orders.length]);
  },
};

// WWW-Authenticate: Bearer challenges (RFC 6750 §3, RFC 9728 §5.1).

type ChallengeParameter = [name: string, value: string | undefined];

/** Parameters in the given order, absent ones left out; a bare `Bearer` when none remain. */
export function bearerChallenge(...parameters: ChallengeParameter[]): string {
  const present = parameters.filter((p): p is [string, string] => p[1] !== undefined);
  if (present.length === 0) return 'Bearer';
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

// One line per step on stderr, so whoever reads the kit's report can follow what the client did.

export function log(step: string, detail = ''): void {
  process.stderr.write(`[reference-client] ${step}${detail ? `: ${detail}` : ''}\n`);
}

/** A deliberate stop: what the servers offered must not be used (a mix-up, no PKCE, a wrong resource). */
export class Refusal extends Error {
  constructor(requirement: string, reason: string) {
    super(`refused (${requirement}): ${reason}`);
  }
}

export function refuse(requirement: string, reason: string): never {
  throw new Refusal(requirement, reason);
}

/** The run cannot succeed without something changing outside it; stored credentials stay as they are. */
export class Failure extends Error {}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Reports of a real authorization server carry real credentials: client secrets, codes, access and
// refresh tokens, session cookies, the user's password. Before a report leaves the run each of them
// is replaced by a short fingerprint, so evidence still says which token was which ("the refresh
// token [redacted 3f9a1c0b] was accepted twice") without handing anyone a live credential. Checks
// always judge the unredacted trace; only what is written is redacted.
import { createHash } from 'node:crypto';
import type { CheckResult, ScenarioResult } from './report.js';
import type { Exchange, ProcessOutcome, RecordedRequest, RecordedResponse } from './trace.js';

/** Shorter values are too likely to occur by chance ("ok", a port number) to be replaced everywhere. */
const MIN_SECRET_LENGTH = 6;

/** The first 8 hex digits of the value's SHA-256: enough to tell tokens apart, useless to an attacker. */
export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8);
}

export function redactedMark(secret: string): string {
  return `[redacted ${fingerprint(secret)}]`;
}

/** Replaces every secret, and its URL- and form-encoded spellings, in one text. */
export class Redactor {
  private readonly pattern: RegExp | undefined;
  private readonly marks = new Map<string, string>();

  constructor(secrets: Iterable<string>) {
    for (const secret of secrets) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      const mark = redactedMark(secret);
      for (const spelling of [secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2)]) this.marks.set(spelling, mark);
    }
    // Longest first, so a token that contains another is replaced whole.
    const spellings = [...this.marks.keys()].sort((a, b) => b.length - a.length);
    this.pattern = spellings.length > 0 ? new RegExp(spellings.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : undefined;
  }

  text(value: string): string {
    return this.pattern ? value.replace(this.pattern, (found) => this.marks.get(found) ?? found) : value;
  }

  /** Credentials a header carries whether or not the run saw them issued: Basic and Bearer values, cookies. */
  private header(name: string, value: string): string {
    const known = this.text(value);
    if (name === 'authorization') return known.replace(/^(\w+)\s+(?!\[redacted )(\S+)$/, (_, scheme: string, credential: string) => `${scheme} ${redactedMark(credential)}`);
    if (name === 'cookie') return known.replace(/(^|;\s*)([^=;\s]+)=([^;]*)/g, (_, sep: string, cookie: string, content: string) => `${sep}${cookie}=${content.startsWith('[redacted ') ? content : redactedMark(content)}`);
    if (name === 'set-cookie') return known.replace(/(^|,\s*)([^=;,\s]+)=([^;,]*)/g, (whole: string, sep: string, cookie: string, content: string) => (/^(expires|max-age|path|domain|samesite)$/i.test(cookie) ? whole : `${sep}${cookie}=${content.startsWith('[redacted ') ? content : redactedMark(content)}`));
    return known;
  }

  private headers(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, this.header(name, value)]));
  }

  private request(request: RecordedRequest): RecordedRequest {
    return { ...request, url: this.text(request.url), headers: this.headers(request.headers), ...(request.body !== undefined ? { body: this.text(request.body) } : {}) };
  }

  private response(response: RecordedResponse): RecordedResponse {
    return { ...response, headers: this.headers(response.headers), ...(response.body !== undefined ? { body: this.text(response.body) } : {}) };
  }

  exchange(exchange: Exchange): Exchange {
    return {
      ...exchange,
      request: this.request(exchange.request),
      ...(exchange.response ? { response: this.response(exchange.response) } : {}),
      ...(exchange.error !== undefined ? { error: this.text(exchange.error) } : {}),
    };
  }

  private check(check: CheckResult): CheckResult {
    return { ...check, message: this.text(check.message), evidence: check.evidence.map((e) => ({ ...e, ...(e.part !== undefined ? { part: this.text(e.part) } : {}), ...(e.note !== undefined ? { note: this.text(e.note) } : {}) })) };
  }

  private process(outcome: ProcessOutcome): ProcessOutcome {
    return { ...outcome, command: this.text(outcome.command), stdoutTail: this.text(outcome.stdoutTail), stderrTail: this.text(outcome.stderrTail) };
  }

  scenario(result: ScenarioResult): ScenarioResult {
    return {
      ...result,
      ...(result.skipReason !== undefined ? { skipReason: this.text(result.skipReason) } : {}),
      checks: result.checks.map((c) => this.check(c)),
      exchanges: result.exchanges.map((e) => this.exchange(e)),
      processes: result.processes.map((p) => this.process(p)),
      ...(result.property?.counterexample !== undefined ? { property: { ...result.property, counterexample: this.text(result.property.counterexample) } } : {}),
    };
  }
}

// WWW-Authenticate read by the grammar of RFC 9110 §11.6.1 and §11.2, not by a pattern that finds
// what it hopes for: a header that does not parse is a refusal, and so is a Bearer challenge that
// breaks RFC 6750 §3 or RFC 9728 §5.1.
//
//   WWW-Authenticate = #challenge
//   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param  = token BWS "=" BWS ( token / quoted-string )
//   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//
// A comma ends either an auth-param or a whole challenge; what follows it decides which (a
// `name=` starts another parameter, anything else another challenge). Empty list elements are
// accepted, as RFC 9110 §5.6.1.2 asks of recipients.
import { endpointUrl, isErrorText, isScope, refuse } from './http.js';

export interface Challenge {
  /** As sent; schemes compare case-insensitively (RFC 9110 §11.1). */
  scheme: string;
  token68?: string;
  /** Names lower-cased (RFC 9110 §11.2: case-insensitive), values unquoted. */
  params: Map<string, string>;
}

const TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z";
const TOKEN = new RegExp(`^[${TCHAR}]+`);
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;
/** The start of an auth-param: a token, BWS, "=", BWS, then a token or quoted-string (not more "=" of a token68). */
const PARAM_AHEAD = new RegExp(`^[${TCHAR}]+[ \\t]*=[ \\t]*(?:"|[${TCHAR}])`);

class SyntaxFault extends Error {}

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.at >= this.text.length;
  }

  peek(): string {
    return this.text[this.at] ?? '';
  }

  ows(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  match(pattern: RegExp): string | undefined {
    const found = pattern.exec(this.text.slice(this.at))?.[0];
    if (found) this.at += found.length;
    return found;
  }

  lookingAt(pattern: RegExp): boolean {
    return pattern.test(this.text.slice(this.at));
  }

  fail(expected: string): never {
    throw new SyntaxFault(`expected ${expected} at offset ${this.at} of ${JSON.stringify(this.text)}`);
  }

  /** quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 §5.6.4). */
  quoted(): string {
    this.at++;
    let value = '';
    for (;;) {
      const c = this.peek();
      if (c === '') this.fail('a closing quote');
      this.at++;
      if (c === '"') return value;
      if (c === '\\') {
        const escaped = this.peek();
        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
        if (escaped === '' || !/[\t\x20-\x7E\x80-\xFF]/.test(escaped)) this.fail('a quoted-pair');
        this.at++;
        value += escaped;
        continue;
      }
      // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
      if (!/[\t\x20\x21\x23-\x5B\x5D-\x7E\x80-\xFF]/.test(c)) this.fail('qdtext');
      value += c;
    }
  }
}

function authParam(reader: Reader, challenge: Challenge): void {
  const name = reader.match(TOKEN)!.toLowerCase();
  reader.ows();
  reader.at++; // the "=" PARAM_AHEAD saw
  reader.ows();
  const value = reader.peek() === '"' ? reader.quoted() : reader.match(TOKEN)!;
  // RFC 9110 §11.2: "Each parameter name MUST only occur once per challenge."
  if (challenge.params.has(name)) throw new SyntaxFault(`parameter ${name} occurs twice in the ${challenge.scheme} challenge`);
  challenge.params.set(name, value);
}

function challengeAt(reader: Reader): Challenge {
  const scheme = reader.match(TOKEN) ?? reader.fail('an auth-scheme');
  const challenge: Challenge = { scheme, params: new Map() };
  if (reader.peek() !== ' ') return challenge;
  const afterScheme = reader.at;
  while (reader.peek() === ' ') reader.at++;
  const afterSpaces = reader.at;
  // #auth-param may begin with empty elements ("Bearer , realm=x"), which RFC 9110 §5.6.1.2 has recipients accept.
  while (reader.peek() === ',') {
    reader.at++;
    reader.ows();
  }
  if (reader.lookingAt(PARAM_AHEAD)) {
    authParam(reader, challenge);
    for (;;) {
      const beforeComma = reader.at;
      reader.ows();
      if (reader.peek() !== ',') {
        reader.at = beforeComma;
        return challenge;
      }
      while (reader.peek() === ',') {
        reader.at++;
        reader.ows();
      }
      if (!reader.lookingAt(PARAM_AHEAD)) {
        // Not a parameter: the comma separates this challenge from the next one.
        reader.at = beforeComma;
        return challenge;
      }
      authParam(reader, challenge);
    }
  }
  reader.at = afterSpaces;
  const token68 = reader.match(TOKEN68);
  if (token68 !== undefined) return { ...challenge, token68 };
  // Only spaces after the scheme: they belong to the list's OWS.
  reader.at = afterScheme;
  return challenge;
}

/** Every challenge of a WWW-Authenticate value, or why the value does not parse. */
export function parseChallenges(value: string): { challenges: Challenge[] } | { fault: string } {
  const reader = new Reader(value);
  const challenges: Challenge[] = [];
  try {
    for (;;) {
      reader.ows();
      while (reader.peek() === ',') {
        reader.at++;
        reader.ows();
      }
      if (reader.done) break;
      challenges.push(challengeAt(reader));
      reader.ows();
      if (!reader.done && reader.peek() !== ',') reader.fail('"," or the end of the header');
    }
  } catch (error) {
    if (error instanceof SyntaxFault) return { fault: error.message };
    throw error;
  }
  return { challenges };
}

/** What the client reads from a Bearer challenge, after RFC 6750 §3 and RFC 9728 §5.1 are checked. */
export interface BearerChallenge {
  error?: string;
  scope?: string;
  resourceMetadata?: string;
}

/**
 * The Bearer challenge of a response, validated; undefined when the header names other schemes only.
 * A header that does not parse, or a Bearer challenge that breaks its RFC, is refused.
 */
export function bearerChallenge(header: string, where: string): BearerChallenge | undefined {
  const parsed = parseChallenges(header);
  if ('fault' in parsed) refuse('RFC 9110 §11.6.1', `WWW-Authenticate of ${where} does not parse: ${parsed.fault}`);
  const bearers = parsed.challenges.filter((c) => c.scheme.toLowerCase() === 'bearer');
  if (bearers.length === 0) return undefined;
  if (bearers.length > 1) refuse('RFC 6750 §3', `${where} carries ${bearers.length} Bearer challenges; which one applies is undefined`);
  const [bearer] = bearers;
  // RFC 6750 §3: "This scheme MUST be followed by one or more auth-param values."
  if (bearer.token68 !== undefined) refuse('RFC 6750 §3', `the Bearer challenge of ${where} carries a token68 (${bearer.token68}), not auth-params`);
  if (bearer.params.size === 0) refuse('RFC 6750 §3', `the Bearer challenge of ${where} has no auth-param ("This scheme MUST be followed by one or more auth-param values")`);
  const { params } = bearer;
  for (const name of ['error', 'error_description'] as const) {
    const value = params.get(name);
    if (value !== undefined && !isErrorText(value)) refuse('RFC 6750 §3', `${name} ${JSON.stringify(value)} of ${where} uses characters outside %x20-21 / %x23-5B / %x5D-7E`);
  }
  const errorUri = params.get('error_uri');
  if (errorUri !== undefined && !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(errorUri)) refuse('RFC 6750 §3', `error_uri ${JSON.stringify(errorUri)} of ${where} is not a URI-reference`);
  const scope = params.get('scope');
  if (scope !== undefined && !isScope(scope)) refuse('RFC 6750 §3', `scope ${JSON.stringify(scope)} of ${where} is not space-delimited scope-tokens (RFC 6749 §3.3)`);
  const resourceMetadata = params.get('resource_metadata');
  // RFC 9728 §5.1: the URL of the protected resource metadata.
  if (resourceMetadata !== undefined) endpointUrl(resourceMetadata, `resource_metadata of ${where}`, 'RFC 9728 §5.1');
  return {
    ...(params.has('error') ? { error: params.get('error') } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(resourceMetadata !== undefined ? { resourceMetadata } : {}),
  };
}

// WWW-Authenticate read by the grammar of RFC 9110 §11.6.1 and §11.2, strictly, so that a header a
// strict client cannot read is found before a client loses what follows a stray quote.
//
//   WWW-Authenticate = #challenge
//   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param  = token BWS "=" BWS ( token / quoted-string )
//
// The list is split at commas outside quoted-strings first; each element is then either the start
// of a challenge (a scheme, maybe followed by its first parameter or a token68) or one more
// parameter of the challenge before it.

export interface AuthParam {
  /** Lower-cased: parameter names compare case-insensitively (RFC 9110 §11.2). */
  name: string;
  /** Unquoted. */
  value: string;
  quoted: boolean;
}

export interface Challenge {
  /** As sent; schemes compare case-insensitively (RFC 9110 §11.1). */
  scheme: string;
  token68?: string;
  /** In order, repeats kept: RFC 9110 §11.2 allows a name once per challenge, and a check says so. */
  params: AuthParam[];
}

export type ParsedHeader = { challenges: Challenge[] } | { fault: string };

const TCHAR = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";
const TOKEN = new RegExp(`^${TCHAR}+$`);
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
// qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text; quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
const QUOTED = /^"((?:[\t \x21\x23-\x5B\x5D-\x7E\x80-\xFF]|\\[\t \x21-\x7E\x80-\xFF])*)"$/;
const PARAM = new RegExp(`^(${TCHAR}+)[ \\t]*=[ \\t]*([^]*)$`);
const SCHEME = new RegExp(`^(${TCHAR}+)(?: +([^]*))?$`);

/** The list elements of a header value: split at commas outside quoted-strings, trimmed of OWS. */
function elements(value: string): string[] | { fault: string } {
  const found: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      found.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return { fault: `a quoted-string is never closed in ${JSON.stringify(value)}` };
  found.push(value.slice(start));
  return found.map((element) => element.replace(/^[ \t]+|[ \t]+$/g, ''));
}

function paramOf(text: string): AuthParam | undefined | { fault: string } {
  const match = PARAM.exec(text);
  if (!match) return undefined;
  const [, name, raw] = match;
  if (TOKEN.test(raw)) return { name: name.toLowerCase(), value: raw, quoted: false };
  const quoted = QUOTED.exec(raw);
  if (quoted) return { name: name.toLowerCase(), value: quoted[1].replace(/\\([^])/g, '$1'), quoted: true };
  return { fault: `the value of ${name} is neither a token nor a quoted-string: ${raw}` };
}

/** Every challenge of a WWW-Authenticate value, or where the value stops parsing. */
export function parseWwwAuthenticate(value: string): ParsedHeader {
  const split = elements(value);
  if ('fault' in split) return split;
  const challenges: Challenge[] = [];
  for (const element of split) {
    // RFC 9110 §5.6.1.2: recipients accept empty list elements.
    if (element === '') continue;
    const param = paramOf(element);
    if (param && 'fault' in param) return param;
    if (param) {
      const current = challenges.at(-1);
      if (!current) return { fault: `a parameter comes before any auth-scheme: ${element}` };
      if (current.token68 !== undefined) return { fault: `a parameter follows the token68 of ${current.scheme}: ${element}` };
      current.params.push(param);
      continue;
    }
    const match = SCHEME.exec(element);
    if (!match) return { fault: `not an auth-scheme or auth-param: ${element}` };
    const [, scheme, rest] = match;
    const challenge: Challenge = { scheme, params: [] };
    if (rest !== undefined && rest !== '') {
      // A token68 may end in "=" padding, which would otherwise read as a parameter with no value.
      if (TOKEN68.test(rest)) {
        challenge.token68 = rest;
      } else {
        const first = paramOf(rest);
        if (!first) return { fault: `after the ${scheme} scheme comes neither an auth-param nor a token68: ${rest}` };
        if ('fault' in first) return first;
        challenge.params.push(first);
      }
    }
    challenges.push(challenge);
  }
  return { challenges };
}

/** The first value of a parameter of a challenge. */
export function paramValue(challenge: Challenge, name: string): string | undefined {
  return challenge.params.find((param) => param.name === name)?.value;
}

/** The Bearer challenges of a parsed header. */
export function bearerChallenges(parsed: ParsedHeader): Challenge[] {
  return 'challenges' in parsed ? parsed.challenges.filter((c) => c.scheme.toLowerCase() === 'bearer') : [];
}

// Where the access token comes from (RFC 6750 §2): the Authorization header only.
import type { IncomingMessage } from 'node:http';

export type Extraction =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  /** The request is malformed in a way RFC 6750 §3.1 answers with 400 invalid_request. */
  | { kind: 'malformed'; description: string };

/** RFC 9110 §11.4 auth-scheme (a token). */
const AUTH_SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export class TokenExtractor {
  extract(req: IncomingMessage, url: URL): Extraction {
    const fromHeader = this.fromHeaders(req.headersDistinct.authorization ?? []);
    // An empty `access_token=` carries no token, so it is not a second way of sending one.
    const inQuery = url.searchParams.getAll('access_token').filter(Boolean);
    if (inQuery.length === 0) return fromHeader;
    return fromHeader.kind === 'none' ? this.queryOnly(inQuery) : this.headerAndQuery(fromHeader);
  }

  /**
   * A token in the URI ends up in logs and Referer headers (RFC 6750 §5.3), so it is not a way in:
   * the request is treated as carrying no token and gets the plain challenge.
   */
  protected queryOnly(_values: string[]): Extraction {
    return { kind: 'none' };
  }

  /** RFC 6750 §2: a client MUST NOT use more than one method; which one to believe is undefined. */
  protected headerAndQuery(_fromHeader: Extraction): Extraction {
    return { kind: 'malformed', description: 'the access token was sent in more than one way (header and query)' };
  }

  protected fromHeaders(values: string[]): Extraction {
    if (values.length > 1) return { kind: 'malformed', description: 'more than one Authorization header' };
    return values.length === 0 ? { kind: 'none' } : this.fromHeader(values[0]);
  }

  protected fromHeader(value: string): Extraction {
    const trimmed = value.trim();
    if (!trimmed) return { kind: 'none' };
    const gap = trimmed.search(/[ \t]/);
    const scheme = gap === -1 ? trimmed : trimmed.slice(0, gap);
    if (!AUTH_SCHEME.test(scheme)) return { kind: 'malformed', description: 'the Authorization header does not start with an authentication scheme' };
    // Another scheme (Basic, DPoP, ...) carries no bearer token: the client is told which one this
    // resource wants, as if it had sent nothing.
    if (!this.isBearer(scheme)) return { kind: 'none' };
    const credentials = gap === -1 ? '' : trimmed.slice(gap).trim();
    if (!credentials) return { kind: 'malformed', description: 'the Bearer scheme carries no token' };
    if (!B64TOKEN.test(credentials)) return { kind: 'malformed', description: 'the Bearer credentials are not one b64token (RFC 6750 section 2.1)' };
    return { kind: 'token', token: credentials };
  }

  /** RFC 9110 §11.1: the scheme name is case-insensitive, so `bearer` and `BEARER` are the same. */
  protected isBearer(scheme: string): boolean {
    return scheme.toLowerCase() === 'bearer';
  }
}

// Redirect URI rules of OAuth 2.1: exact matching, with the one exception of loopback http URIs
// whose port the native client only learns at run time (OAuth 2.1 §8.4.2).

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

export function isLoopbackHttp(uri: string): boolean {
  const url = parse(uri);
  return !!url && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** Why a redirect URI may not be registered (RFC 7591 invalid_redirect_uri), or undefined when it may. */
export function redirectUriDefect(uri: unknown): string | undefined {
  if (typeof uri !== 'string') return 'redirect URIs must be strings';
  const url = parse(uri);
  if (!url) return `${uri} is not an absolute URI`;
  if (url.hash || uri.includes('#')) return `${uri} has a fragment`;
  if (url.protocol === 'https:') return undefined;
  if (isLoopbackHttp(uri)) return undefined;
  return `${uri} is neither https nor loopback http`;
}

export function redirectUriMatches(registered: string, presented: string): boolean {
  if (registered === presented) return true;
  if (!isLoopbackHttp(registered) || !isLoopbackHttp(presented)) return false;
  const a = new URL(registered);
  const b = new URL(presented);
  return a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search;
}

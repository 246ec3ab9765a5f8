// How the kit compares resource identifiers (RFC 8707). Exact string comparison, except the one
// equivalence RFC 3986 §6.2.3 gives every http(s) URI: an empty path is the same as "/". MCP asks
// clients to prefer the form without the slash (a SHOULD), so the world accepts both and a check
// warns about the slash.

/** The identifier with the slash of an otherwise empty http(s) path removed; anything else as written. */
export function resourceKey(uri: string): string {
  if (!URL.canParse(uri)) return uri;
  const url = new URL(uri);
  const bareOrigin = (url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && url.search === '' && url.hash === '';
  return bareOrigin && uri.endsWith('/') ? uri.slice(0, -1) : uri;
}

export function sameResource(a: string, b: string): boolean {
  return resourceKey(a) === resourceKey(b);
}

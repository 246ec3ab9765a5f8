// The fetch the MCP transport uses: it puts the access token on every request and answers the
// server's 401 and 403 challenges itself, then sends the same request again. The SDK transport is
// given no auth provider, so it never refreshes or authorizes on its own: every refresh goes
// through the locked transaction in credentials.ts.
import { bearerChallenge } from './http.js';
import { log } from './log.js';
import type { Authorizer } from './authorizer.js';

/** The JSON-RPC method of a request, with the tool's name for tools/call: the unit step-ups are counted in. */
function operationOf(body: RequestInit['body']): string {
  try {
    const messages = [JSON.parse(String(body))].flat() as Array<{ method?: unknown; params?: { name?: unknown } }>;
    return messages.map((m) => (m.method === 'tools/call' && typeof m.params?.name === 'string' ? `tools/call ${m.params.name}` : String(m.method))).join(', ');
  } catch {
    return 'unknown';
  }
}

export function authorizedFetch(authorizer: Authorizer): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init = {}) => {
    // Ends because the authorizer either replaces the refused token or throws once its limits are reached.
    for (;;) {
      const token = authorizer.accessToken();
      const headers = new Headers(init.headers);
      // C-TOK-01/02/03: on every request, in the Authorization header and nowhere else.
      if (token) headers.set('Authorization', `Bearer ${token}`);
      const response = await fetch(url, { ...init, headers });
      if (response.status !== 401 && response.status !== 403) return response;
      const header = response.headers.get('www-authenticate');
      const challenge = bearerChallenge(header);
      log('mcp', `${response.status} ${header ?? '(no challenge)'}`);
      if (response.status === 403 && !authorizer.asksForMoreScope(challenge)) return response;
      await response.body?.cancel();
      if (response.status === 401) await authorizer.recover(token, challenge ?? {});
      else await authorizer.stepUp(token, challenge ?? {}, operationOf(init.body));
    }
  };
}

// Token endpoint client authentication (RFC 6749 §2.3). A client must use the one method it was
// registered with; anything else is invalid_client, so a client that mixes methods is caught.
import { decodeBase64, utf8 } from '../../core/bytes.js';
import type { TokenAuthMethod } from '../knobs.js';
import type { AuthorizationServerState, Client } from './state.js';
import { oauthError } from './oauth-error.js';

interface PresentedCredentials {
  method: TokenAuthMethod;
  client_id: string;
  client_secret?: string;
}

export type ClientAuthentication = { client: Client } | { failure: Response };

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined and base64-encoded. */
function fromBasicHeader(header: string): PresentedCredentials | undefined {
  const match = /^basic\s+(\S+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = utf8(decodeBase64(match[1]));
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unescape = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  const client_id = unescape(decoded.slice(0, colon));
  const client_secret = unescape(decoded.slice(colon + 1));
  if (client_id === undefined || client_secret === undefined) return undefined;
  return { method: 'client_secret_basic', client_id, client_secret };
}

function fromForm(form: URLSearchParams): PresentedCredentials | undefined {
  const client_id = form.get('client_id');
  if (!client_id) return undefined;
  const client_secret = form.get('client_secret');
  return client_secret !== null ? { method: 'client_secret_post', client_id, client_secret } : { method: 'none', client_id };
}

/**
 * RFC 6749 §5.2: a client that tried the Authorization header gets 401 with a challenge for its
 * scheme; any other gets 400 (a 401 without WWW-Authenticate would break RFC 9110 §15.5.2).
 */
function invalidClient(description: string, basicTried: boolean): { failure: Response } {
  if (!basicTried) return { failure: oauthError(400, 'invalid_client', description) };
  return { failure: oauthError(401, 'invalid_client', description, { 'WWW-Authenticate': 'Basic realm="token"' }) };
}

export function authenticateClient(state: AuthorizationServerState, request: Request, form: URLSearchParams): ClientAuthentication {
  const authorization = request.headers.get('authorization');
  const basicTried = !!authorization && /^basic\s/i.test(authorization);
  const presented = basicTried ? fromBasicHeader(authorization) : fromForm(form);
  if (!presented) return invalidClient(basicTried ? 'malformed Basic credentials' : 'no client authentication', basicTried);
  if (basicTried && form.has('client_id') && form.get('client_id') !== presented.client_id) {
    return invalidClient('client_id in the form differs from the Basic credentials', true);
  }
  if (basicTried && form.has('client_secret')) return invalidClient('more than one client authentication method used', true);

  const client = state.clients.get(presented.client_id);
  if (!client) return invalidClient('unknown client', basicTried);
  if (client.token_endpoint_auth_method !== presented.method) {
    return invalidClient(`client is registered for ${client.token_endpoint_auth_method}, not ${presented.method}`, basicTried);
  }
  if (presented.method !== 'none' && presented.client_secret !== client.client_secret) return invalidClient('wrong client secret', basicTried);
  return { client };
}

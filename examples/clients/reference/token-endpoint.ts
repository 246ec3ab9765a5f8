// Requests to the token endpoint, authenticated as the client, and what their answers mean.
import { REQUEST_TIMEOUT_MS } from './config.js';
import type { Binding } from './discovery.js';
import { formEncode, retryAfterMs } from './http.js';
import type { ClientRecord } from './store.js';

export interface TokenResponse {
  access_token: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
}

export type TokenResult =
  | { kind: 'issued'; tokens: TokenResponse }
  /** Any 4xx: the grant presented (a code, a refresh token) is dead. Servers say so with 400, 401, 403, 404. */
  | { kind: 'rejected'; status: number; error?: string }
  /** 5xx, 429, a timeout or no connection: nothing is known, not even whether the grant was used (RT-C-09). */
  | { kind: 'unavailable'; reason: string; retryAfterMs?: number };

export function describeResult(result: TokenResult): string {
  if (result.kind === 'issued') return 'issued';
  if (result.kind === 'rejected') return `rejected with ${result.status}${result.error ? ` ${result.error}` : ''}`;
  return `unavailable (${result.reason})`;
}

/** The registered method; a pre-registered client's is not known to us, so the AS's first choice. */
function authenticationMethod(client: ClientRecord, binding: Binding): string {
  if (client.token_endpoint_auth_method) return client.token_endpoint_auth_method;
  if (!client.client_secret) return 'none';
  return binding.metadata?.token_endpoint_auth_methods_supported?.[0] ?? 'client_secret_basic';
}

function authenticate(client: ClientRecord, binding: Binding, headers: Headers, form: URLSearchParams): void {
  const method = authenticationMethod(client, binding);
  if (method === 'client_secret_basic' && client.client_secret) {
    // RFC 6749 §2.3.1: form-urlencoded before Basic encoding (the SDK skips this).
    const credentials = `${formEncode(client.client_id)}:${formEncode(client.client_secret)}`;
    headers.set('Authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
    return;
  }
  form.set('client_id', client.client_id);
  if (method === 'client_secret_post' && client.client_secret) form.set('client_secret', client.client_secret);
}

export async function requestToken(binding: Binding, client: ClientRecord, form: URLSearchParams): Promise<TokenResult> {
  const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' });
  authenticate(client, binding, headers, form);
  let response: Response;
  let text: string;
  try {
    response = await fetch(binding.endpoints.token, {
      method: 'POST',
      headers,
      body: form,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    return { kind: 'unavailable', reason: (error as Error).message };
  }
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (response.status === 200 && typeof body?.access_token === 'string') return { kind: 'issued', tokens: body as unknown as TokenResponse };
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    const wait = retryAfterMs(response.headers.get('retry-after'));
    return { kind: 'unavailable', reason: `HTTP ${response.status}`, ...(wait !== undefined ? { retryAfterMs: wait } : {}) };
  }
  if (response.status >= 400) {
    return { kind: 'rejected', status: response.status, ...(typeof body?.error === 'string' ? { error: body.error } : {}) };
  }
  return { kind: 'unavailable', reason: `HTTP ${response.status} without tokens` };
}

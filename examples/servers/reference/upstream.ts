// The upstream API test-tool calls, as this server and with its own credential.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { REQUEST_TIMEOUT_MS, type UpstreamApi } from './config.js';

export interface UpstreamResult {
  ok: boolean;
  status: number;
  statusText: string;
}

export class Upstream {
  constructor(protected readonly api: UpstreamApi) {}

  /**
   * Never the caller's token: it was issued for this server (its aud), and passing it on would make
   * the upstream API accept a token meant for someone else (MCP security best practices, "token
   * passthrough"). The caller is available here only so the decision is visible in one place.
   */
  protected authorization(_caller: AuthInfo | undefined): string {
    return `Bearer ${this.api.token}`;
  }

  /** Only the status is reported back: the body might repeat what was sent, credential included. */
  async call(caller: AuthInfo | undefined): Promise<UpstreamResult> {
    const response = await fetch(this.api.url, {
      headers: { authorization: this.authorization(caller), accept: 'application/json, text/plain;q=0.9' },
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { ok: response.ok, status: response.status, statusText: response.statusText };
  }
}

// The authorization server's memory: clients, authorization codes and refresh-token families.
// Plain data structures, so grant logic and refresh policies stay small pure-ish functions.
import type { TokenAuthMethod } from '../knobs.js';
import { randomToken } from '../tokens.js';
import { isLoopbackHttp, redirectUriMatches } from './redirect-uri.js';

export interface Client {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: TokenAuthMethod;
  /** 'any-loopback' for clients the kit vouches for (pre-registered, CIMD). */
  redirect_uris: string[] | 'any-loopback';
}

export interface AuthorizationCode {
  code: string;
  client_id: string;
  /** As the authorization request carried it (absent when the client relied on its only registered URI). */
  redirect_uri?: string;
  code_challenge: string;
  code_challenge_method: string;
  resource?: string;
  scope?: string;
  expiresAt: number;
  redeemed: boolean;
}

export interface RefreshFamily {
  id: string;
  client_id: string;
  /** The scope the user granted; a refresh may narrow it, never widen it. */
  scope?: string;
  resource?: string;
  revoked: boolean;
  /** The refresh token currently valid for this family. */
  current: string;
}

export interface RefreshTokenRecord {
  token: string;
  family: RefreshFamily;
  /** Set when the token was rotated away; presenting it again is reuse. */
  supersededAt?: number;
  issuedAt: number;
}

export const CODE_LIFETIME_MS = 10 * 60 * 1000;

export class AuthorizationServerState {
  readonly clients = new Map<string, Client>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  addClient(client: Client): Client {
    this.clients.set(client.client_id, client);
    return client;
  }

  acceptsRedirectUri(client: Client, presented: string): boolean {
    if (client.redirect_uris === 'any-loopback') return isLoopbackHttp(presented);
    return client.redirect_uris.some((registered) => redirectUriMatches(registered, presented));
  }

  issueCode(grant: Omit<AuthorizationCode, 'code' | 'expiresAt' | 'redeemed'>): AuthorizationCode {
    const code: AuthorizationCode = { ...grant, code: randomToken(), expiresAt: Date.now() + CODE_LIFETIME_MS, redeemed: false };
    this.codes.set(code.code, code);
    return code;
  }

  startRefreshFamily(grant: Pick<RefreshFamily, 'client_id' | 'scope' | 'resource'>): RefreshTokenRecord {
    const family: RefreshFamily = { ...grant, id: randomToken(12), revoked: false, current: '' };
    return this.rotate(family);
  }

  /** Issues the family's next refresh token; the previous one becomes superseded. */
  rotate(family: RefreshFamily): RefreshTokenRecord {
    const previous = family.current ? this.refreshTokens.get(family.current) : undefined;
    if (previous) previous.supersededAt = Date.now();
    const record: RefreshTokenRecord = { token: randomToken(), family, issuedAt: Date.now() };
    family.current = record.token;
    this.refreshTokens.set(record.token, record);
    return record;
  }
}

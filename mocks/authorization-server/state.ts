// The authorization server's memory: clients, authorization codes, refresh-token families and
// the access tokens issued. It outlives World.reconfigure, which only rebuilds handlers.
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
  /** The refresh-token family its redemption started: a replay of the code revokes it (OAuth 2.1 §4.1.3). */
  family?: RefreshFamily;
}

export interface RefreshFamily {
  id: string;
  client_id: string;
  /** The scope the user granted; a refresh may narrow it, never widen it. */
  scope?: string;
  resource?: string;
  revoked: boolean;
  /** Why the family was revoked: reuse detection fired, or the grant was revoked (the user signed out). */
  revokedBy?: 'reuse' | 'revocation';
  /** The refresh token issued last in this family. */
  current: string;
}

export interface RefreshTokenRecord {
  token: string;
  family: RefreshFamily;
  /** 0 for the token the code redemption issued, parent's + 1 after that (siblings share one). */
  generation: number;
  /** Tokens minted by presenting this one: one under strict rotation, several under sibling grace. */
  children: RefreshTokenRecord[];
  /** Set when the token was first rotated away; presenting it again is reuse, or grace. */
  supersededAt?: number;
  /** Revoked on its own (a latest-wins replay minted a newer sibling); the family lives on. */
  revoked?: boolean;
  issuedAt: number;
  /** The token response body that issued this token, replayed verbatim by idempotent grace. */
  issuedWith?: Promise<Record<string, unknown>>;
}

export const CODE_LIFETIME_MS = 10 * 60 * 1000;

export class AuthorizationServerState {
  readonly clients = new Map<string, Client>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** The jti of every access token issued, so the world can expire them all on demand. */
  readonly accessTokens = new Set<string>();
  /** Requests that reached the token endpoint, over the world's life (tokenLatencyMs indexes them). */
  tokenRequests = 0;

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

  /**
   * Revokes every refresh-token family, as a user revoking the client's access would, or only the
   * family of `token` (any of its refresh tokens, superseded ones included): one grant signed out.
   * Returns how many families this revoked; undefined for a token this server never issued.
   */
  revokeRefreshFamilies(token?: string): number | undefined {
    const families = new Set<RefreshFamily>();
    if (token !== undefined) {
      const family = this.refreshTokens.get(token)?.family;
      if (!family) return undefined;
      families.add(family);
    } else {
      for (const record of this.refreshTokens.values()) families.add(record.family);
    }
    let revoked = 0;
    for (const family of families) {
      if (family.revoked) continue;
      family.revoked = true;
      family.revokedBy = 'revocation';
      revoked++;
    }
    return revoked;
  }

  startRefreshFamily(grant: Pick<RefreshFamily, 'client_id' | 'scope' | 'resource'>): RefreshTokenRecord {
    const family: RefreshFamily = { ...grant, id: randomToken(12), revoked: false, current: '' };
    return this.mint(family, undefined);
  }

  /**
   * Issues a refresh token in `parent`'s family, as its child. `supersede` marks the parent used
   * (its first use only: the grace window runs from then); policies that keep old tokens valid
   * leave it unmarked.
   */
  issueSuccessor(parent: RefreshTokenRecord, supersede: boolean): RefreshTokenRecord {
    if (supersede) parent.supersededAt ??= Date.now();
    return this.mint(parent.family, parent);
  }

  /** Tokens minted from `record` that are still usable: not rotated away, not revoked. */
  liveChildren(record: RefreshTokenRecord): RefreshTokenRecord[] {
    return record.children.filter((child) => child.supersededAt === undefined && !child.revoked);
  }

  private mint(family: RefreshFamily, parent: RefreshTokenRecord | undefined): RefreshTokenRecord {
    const record: RefreshTokenRecord = {
      token: randomToken(),
      family,
      generation: parent ? parent.generation + 1 : 0,
      children: [],
      issuedAt: Date.now(),
    };
    parent?.children.push(record);
    family.current = record.token;
    this.refreshTokens.set(record.token, record);
    return record;
  }
}

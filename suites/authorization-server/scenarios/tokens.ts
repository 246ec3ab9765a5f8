// The token endpoint: code redemption with every way to get it wrong, then refresh-token rotation.
// Each broken redemption spends a code of its own, so that one refusal never explains another.
import type { AuthorizationServerScenario } from '../../../core/scenario.js';
import { since } from '../../../core/spec.js';
import { pkcePair, type AuthorizationServerDrive } from '../../../core/targets/authorization-server/drive.js';
import { EXTRA_SCOPE, REFRESH, refreshAudience, refreshOldRefused, refreshReuseRevokes, refreshRotated, refreshScopeNarrowed, refreshScopeNotWidened, refreshTokenIssued } from '../checks/refresh.js';
import {
  FOREIGN_RESOURCE,
  TOKEN,
  tokenAudience,
  tokenCodeRedeemed,
  tokenCodeSingleUse,
  tokenErrorCode,
  tokenErrorShape,
  tokenExpiresIn,
  tokenForeignResource,
  tokenPkceVerified,
  tokenRedirectUriBound,
  tokenReplayRevokes,
  tokenResponseShape,
} from '../checks/token.js';
import { jwtClaims } from '../observe.js';
import { redirectVariants } from './authorization.js';

/** The label's stem: `wrong-verifier:token` is redeemed from `wrong-verifier:authorize`. */
const stem = (label: string): string => label.slice(0, label.lastIndexOf(':'));

async function redeemWrongly(drive: AuthorizationServerDrive, label: string, form: Record<string, string | null>): Promise<void> {
  const authorization = await drive.authorize(`${stem(label)}:authorize`);
  if (authorization.code) await drive.redeem(label, authorization, form);
}

async function probeCodeRedemption(drive: AuthorizationServerDrive): Promise<void> {
  const grant = await drive.grant(stem(TOKEN.grant));
  if (!grant.code) return;
  // Asked before the replay below, which may rightly revoke the token.
  const accessToken = grant.tokens?.accessToken;
  if (accessToken && !jwtClaims(accessToken) && drive.endpoint('introspection_endpoint')) await drive.introspect(TOKEN.introspect, accessToken, grant.client ?? drive.client);
  await redeemWrongly(drive, TOKEN.wrongVerifier, { code_verifier: pkcePair().verifier });
  await redeemWrongly(drive, TOKEN.missingVerifier, { code_verifier: null });
  await redeemWrongly(drive, TOKEN.wrongRedirect, { redirect_uri: redirectVariants(grant.redirectUri).pathChanged });
  await drive.redeem(TOKEN.unknownCode, { ...grant, code: 'mcp-auth-conformance-made-up-code' });
  await drive.redeem(TOKEN.replay, grant);
  if (grant.tokens?.refreshToken) await drive.refresh(TOKEN.afterReplay, grant.tokens.refreshToken);
  await redeemWrongly(drive, TOKEN.otherResource, { resource: FOREIGN_RESOURCE });
}

async function probeRefresh(drive: AuthorizationServerDrive): Promise<void> {
  const grant = await drive.grant(stem(REFRESH.grant));
  const first = grant.tokens?.refreshToken;
  if (first) {
    const second = (await drive.refresh(REFRESH.first, first)).refreshToken;
    const third = second && second !== first ? (await drive.refresh(REFRESH.second, second)).refreshToken : undefined;
    // The first token is two rotations old: no grace window covers it (only the immediate
    // predecessor may be presented again, RT-AS-04), so a correct server refuses it whatever its policy.
    await drive.refresh(REFRESH.old, first);
    // Asked after the reuse: whether the family survived it.
    if (third && third !== second) await drive.refresh(REFRESH.afterReuse, third);
  }
  // A family of its own: the one above may be revoked by now.
  const scoped = await drive.grant(stem(REFRESH.scopeGrant));
  const granted = typeof scoped.tokens?.json?.scope === 'string' ? scoped.tokens.json.scope : drive.facts.scope;
  if (scoped.tokens?.refreshToken) await drive.refresh(REFRESH.widened, scoped.tokens.refreshToken, { scope: [granted, EXTRA_SCOPE].filter(Boolean).join(' ') });
  // And one more, for a refresh that asks for part of what was granted.
  const narrow = await drive.grant(stem(REFRESH.narrowGrant));
  const parts = (typeof narrow.tokens?.json?.scope === 'string' ? narrow.tokens.json.scope : (drive.facts.scope ?? '')).split(' ').filter(Boolean);
  if (narrow.tokens?.refreshToken && parts.length > 1) await drive.refresh(REFRESH.narrowed, narrow.tokens.refreshToken, { scope: parts[0] });
}

export const tokenScenarios: AuthorizationServerScenario[] = [
  {
    id: 'as/token-endpoint',
    title: 'Code redemption',
    description:
      'A code is redeemed with its verifier and redirect URI; then codes are redeemed with a wrong verifier, without one, with another redirect URI, for another resource, a made-up code, and the first code again. A correct server issues tokens only the first time, answers every refusal with 400 invalid_grant as JSON, marks token responses no-store, binds access tokens to the resource (the aud of a JWT, or what introspection says of an opaque one), and revokes what a replayed code issued.',
    suites: ['authorization-server', 'core', 'token'],
    specVersions: since('2025-06-18'),
    needs: ['client', 'login'],
    drive: probeCodeRedemption,
    checks: [tokenCodeRedeemed, tokenResponseShape, tokenExpiresIn, tokenPkceVerified, tokenRedirectUriBound, tokenCodeSingleUse, tokenErrorShape, tokenErrorCode, tokenReplayRevokes, tokenAudience, tokenForeignResource],
  },
  {
    id: 'as/refresh',
    title: 'Refresh-token rotation',
    description:
      'A public client refreshes twice, then presents its first refresh token (two rotations old, beyond any grace window), then the newest one; a second grant asks a refresh for a scope never granted, a third one for part of its scope. A correct server issues a refresh token, rotates it on every use, refuses the superseded one with 400 invalid_grant, revokes the family on reuse, never widens the scope and narrows it when asked.',
    suites: ['authorization-server', 'core', 'refresh'],
    specVersions: since('2025-06-18'),
    needs: ['client', 'login'],
    drive: probeRefresh,
    checks: [refreshTokenIssued, refreshRotated, refreshOldRefused, refreshReuseRevokes, refreshScopeNotWidened, refreshScopeNarrowed, refreshAudience],
  },
];

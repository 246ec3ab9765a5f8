// The reference server with single defects, so that each check of the server suite can be shown
// to fail against exactly the defect it looks for.
//
// Usage: node reference-server-mutant.js, with the kit's environment and
// REFERENCE_SERVER_DEFECTS=name,name (empty = the reference itself; names in server-defects.ts).
// Each defect replaces one part of the reference (see `Parts` in examples/servers/reference/main.ts)
// with a subclass that overrides one method; defects compose, each extending what came before.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { base64url, createRemoteJWKSet, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify, UnsecuredJWT, type JWK, type JWTPayload, type JWTVerifyOptions, type ProtectedHeaderParameters } from 'jose';
import type { Challenge, ChallengeParameter } from '../../examples/servers/reference/challenge.js';
import { REQUEST_TIMEOUT_MS, SCOPES_SUPPORTED } from '../../examples/servers/reference/config.js';
import type { Extraction } from '../../examples/servers/reference/extract.js';
import type { Admission } from '../../examples/servers/reference/gate.js';
import type { IntrospectionAnswer } from '../../examples/servers/reference/introspection.js';
import { log } from '../../examples/servers/reference/log.js';
import { REFERENCE_PARTS, runReferenceServer, type Parts } from '../../examples/servers/reference/main.js';
import { sendJson } from '../../examples/servers/reference/replies.js';
import { authInfo, type Verdict } from '../../examples/servers/reference/verifier.js';
import { REFERENCE_SERVER_DEFECTS, type ReferenceServerDefect } from './server-defects.js';

/** The token's protected header, or undefined when it has none that parses. */
function headerOf(token: string): ProtectedHeaderParameters | undefined {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}

/** The byte strings a confused verifier might take for "the key" when an HS256 token arrives. */
function publicKeyAsSecrets(jwk: JWK): Uint8Array[] {
  const encoder = new TextEncoder();
  const secrets = [encoder.encode(JSON.stringify(jwk))];
  try {
    const pem = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    secrets.push(encoder.encode(pem), encoder.encode(pem.trimEnd()));
  } catch {
    // A key node cannot read as a JWK has no PEM to be confused with.
  }
  return secrets;
}

// A variable, not a literal, for the same reason as in verifier.ts (mcp-auth's AuthInfo augmentation).
const anonymous = { token: '', clientId: '(anonymous)', scopes: [...SCOPES_SUPPORTED], issuer: '', extra: {} };
const ANONYMOUS: AuthInfo = anonymous;

/** The authorization a server that skips verification makes up: the presented token, every scope, nobody in particular (built as a variable, as ANONYMOUS is). */
function unverified(token: string): AuthInfo {
  const info = { token, clientId: '(unverified)', scopes: [...SCOPES_SUPPORTED], issuer: '', extra: {} };
  return info;
}

/** The PRM URL with the well-known part appended to the endpoint's path instead of inserted before it (RFC 9728 §3.1). */
function appendedWellKnown(prmUrl: string): string {
  const url = new URL(prmUrl);
  const wellKnown = '/.well-known/oauth-protected-resource';
  return `${url.origin}${url.pathname.slice(wellKnown.length).replace(/\/$/, '')}${wellKnown}`;
}

/** More MCP requests than this inside the gate at once make the busy mutants busy. */
const BUSY_LIMIT = 4;
/**
 * How long the busy mutants keep each request in the gate before judging it. The kit's burst then
 * overlaps there even when a slow machine spreads its arrival over several milliseconds, so the
 * defect shows because of what it is, not because of how fast the machine happened to be.
 */
const BUSY_HOLD_MS = 25;

/**
 * A gate that counts the requests inside it and hands the judging to `whenBusy` while there are more
 * than BUSY_LIMIT. The count covers authentication only: a streaming GET stays open long after it,
 * and would otherwise keep the server busy forever.
 */
function countingGate(Gate: Parts['BearerGate']) {
  return class extends Gate {
    private inFlight = 0;

    override async authenticate(req: IncomingMessage, url: URL): Promise<Admission> {
      this.inFlight += 1;
      try {
        await sleep(BUSY_HOLD_MS);
        // Counted after the hold, so each request also sees those that came in while it waited.
        return this.inFlight > BUSY_LIMIT ? await this.whenBusy(req, url) : await super.authenticate(req, url);
      } finally {
        this.inFlight -= 1;
      }
    }

    /** What a busy gate does; as written here, what any gate does. */
    protected whenBusy(req: IncomingMessage, url: URL): Promise<Admission> {
      return super.authenticate(req, url);
    }
  };
}

/** One claim left unchecked, by both verifiers: jose is not told it, and introspection answers pass it. */
function ignoringClaim(parts: Parts, option: 'audience' | 'issuer', accepted: 'audienceAccepted' | 'issuerAccepted'): Parts {
  const Introspection = class extends parts.IntrospectionVerifier {};
  Object.defineProperty(Introspection.prototype, accepted, { value: () => true });
  return {
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      protected override options(): JWTVerifyOptions {
        const { [option]: _ignored, ...rest } = super.options();
        return rest;
      }
    },
    IntrospectionVerifier: Introspection,
  };
}

const MUTATIONS: Record<ReferenceServerDefect, (parts: Parts) => Parts> = {
  'no-audience-check': (parts) => ignoringClaim(parts, 'audience', 'audienceAccepted'),
  'no-issuer-check': (parts) => ignoringClaim(parts, 'issuer', 'issuerAccepted'),
  'accepts-expired': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      // jose checks exp last (no maxTokenAge is set), so every other check has passed when it fails.
      protected override async decode(token: string): Promise<JWTPayload> {
        try {
          return await super.decode(token);
        } catch (error) {
          if (error instanceof errors.JWTExpired && error.claim === 'exp') return error.payload;
          throw error;
        }
      }
    },
  }),
  'no-nbf-check': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      // jose stops at nbf before it looks at exp, so the exp check is finished here.
      protected override async decode(token: string): Promise<JWTPayload> {
        try {
          return await super.decode(token);
        } catch (error) {
          if (!(error instanceof errors.JWTClaimValidationFailed) || error.claim !== 'nbf') throw error;
          const { exp } = error.payload;
          if (typeof exp !== 'number') throw new errors.JWTClaimValidationFailed('"exp" claim must be a number', error.payload, 'exp', 'invalid');
          if (exp <= Math.floor(Date.now() / 1000)) throw new errors.JWTExpired('"exp" claim timestamp check failed', error.payload, 'exp', 'check_failed');
          return error.payload;
        }
      }
    },
  }),
  'no-exp-required': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      protected override options(): JWTVerifyOptions {
        return { ...super.options(), requiredClaims: [] };
      }
    },
  }),
  'accepts-alg-none': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      protected override async decode(token: string): Promise<JWTPayload> {
        if (headerOf(token)?.alg !== 'none') return super.decode(token);
        const [header, payload] = token.split('.');
        return UnsecuredJWT.decode(`${header}.${payload}.`, this.options()).payload;
      }
    },
  }),
  'hs256-with-public-key': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      protected override async decode(token: string): Promise<JWTPayload> {
        if (headerOf(token)?.alg !== 'HS256') return super.decode(token);
        if (!this.keys.jwks()) await this.keys.reload();
        for (const jwk of this.keys.jwks()?.keys ?? []) {
          for (const secret of publicKeyAsSecrets(jwk)) {
            try {
              return (await jwtVerify(token, secret, { ...this.options(), algorithms: ['HS256'] })).payload;
            } catch (error) {
              if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
            }
          }
        }
        throw new errors.JWSSignatureVerificationFailed();
      }
    },
  }),
  'no-signature-check': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      // The claims are judged by jose as the reference judges them; the signature is never looked at.
      protected override async decode(token: string): Promise<JWTPayload> {
        const payload = token.split('.')[1] ?? '';
        const unsigned = `${base64url.encode(JSON.stringify({ ...decodeProtectedHeader(token), alg: 'none' }))}.${payload}.`;
        return UnsecuredJWT.decode(unsigned, this.options()).payload;
      }
    },
  }),
  'trusts-embedded-jwk': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      // jose's EmbeddedJWK takes the key from the header it is meant to authenticate: whoever made
      // the token made the key. The options (algorithms, iss, aud, exp, nbf) are the reference's.
      protected override async decode(token: string): Promise<JWTPayload> {
        if (headerOf(token)?.jwk === undefined) return super.decode(token);
        return (await jwtVerify(token, EmbeddedJWK, this.options())).payload;
      }
    },
  }),
  'no-key-refetch': (parts) => ({
    ...parts,
    keys: (jwksUri) => createRemoteJWKSet(jwksUri, { cooldownDuration: Infinity, cacheMaxAge: Infinity, timeoutDuration: REQUEST_TIMEOUT_MS }),
  }),
  'ignores-introspection-inactive': (parts) => ({
    ...parts,
    IntrospectionVerifier: class extends parts.IntrospectionVerifier {
      protected override active(_answer: IntrospectionAnswer): boolean {
        return true;
      }
    },
  }),
  'wrong-expected-audience': (parts) => ({
    ...parts,
    // Both verifiers, as for no-audience-check: only the one of the token format in use is built.
    JwtVerifier: class extends parts.JwtVerifier {
      protected override options(): JWTVerifyOptions {
        return { ...super.options(), audience: new URL(this.config.resource).origin };
      }
    },
    IntrospectionVerifier: class extends parts.IntrospectionVerifier {
      protected override audienceAccepted(answer: IntrospectionAnswer): boolean {
        const { aud } = answer;
        const origin = new URL(this.config.resource).origin;
        if (aud === undefined) return true;
        return typeof aud === 'string' ? aud === origin : Array.isArray(aud) && aud.includes(origin);
      }
    },
  }),
  'garbage-accepted': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      // "Not a JWT, so it must be one of the AS's opaque tokens" — and nobody asks the AS about it.
      override async verify(token: string): Promise<Verdict> {
        if (headerOf(token)) return super.verify(token);
        return { valid: true, auth: authInfo(token, { scope: SCOPES_SUPPORTED.join(' '), client_id: '(opaque token)' }, this.config) };
      }
    },
  }),
  'dies-on-garbage': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      override async verify(token: string): Promise<Verdict> {
        if (headerOf(token)) return super.verify(token);
        log('fatal', 'the access token is not a JWT');
        process.exit(1);
      }
    },
  }),
  'crash-on-garbage': (parts) => ({
    ...parts,
    JwtVerifier: class extends parts.JwtVerifier {
      override async verify(token: string): Promise<Verdict> {
        log('token', `kid ${String(decodeProtectedHeader(token).kid)}`);
        return super.verify(token);
      }
    },
  }),
  'echoes-token': (parts) => ({
    ...parts,
    BearerGate: class extends parts.BearerGate {
      protected override rejected(token: string, description: string): Admission {
        return super.rejected(token, `${description} (token ${token})`);
      }
    },
  }),
  'challenge-without-www-authenticate': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      protected override headers(challenge: Challenge) {
        const headers = super.headers(challenge);
        if (challenge.status === 401) delete headers['WWW-Authenticate'];
        return headers;
      }
    },
  }),
  'error-on-no-token': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override noToken(scopes: string[]): Challenge {
        const challenge = super.noToken(scopes);
        return { ...challenge, parameters: [['error', 'invalid_token'], ...challenge.parameters] };
      }
    },
  }),
  'no-resource-metadata': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      protected override withMetadata(parameters: ChallengeParameter[]): ChallengeParameter[] {
        return parameters;
      }
    },
  }),
  'offline-access-in-challenge': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override noToken(scopes: string[]): Challenge {
        return super.noToken([...scopes, 'offline_access']);
      }
    },
  }),
  'unregistered-error-code': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override invalidToken(description: string): Challenge {
        const challenge = super.invalidToken(description);
        return { ...challenge, parameters: challenge.parameters.map(([name, value]): ChallengeParameter => [name, name === 'error' ? 'token_expired' : value]) };
      }
    },
  }),
  'no-error-on-invalid-token': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override invalidToken(description: string): Challenge {
        const challenge = super.invalidToken(description);
        return { ...challenge, parameters: challenge.parameters.filter(([name]) => name !== 'error') };
      }
    },
  }),
  'no-scope-in-challenge': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      protected override scopeParameter(): ChallengeParameter[] {
        return [];
      }
    },
  }),
  'unescaped-error-description': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override quote(value: string): string {
        return `"${value}"`;
      }
    },
  }),
  'no-scope-in-403': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override insufficientScope(needed: string[], description: string): Challenge {
        const challenge = super.insufficientScope(needed, description);
        return { ...challenge, parameters: challenge.parameters.filter(([name]) => name !== 'scope') };
      }
    },
  }),
  'no-403-path': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      override insufficientScope(_needed: string[], description: string): Challenge {
        return this.invalidToken(description);
      }
    },
  }),
  'no-scope-check': (parts) => ({
    ...parts,
    ScopePolicy: class extends parts.ScopePolicy {
      override missing(): string[] {
        return [];
      }
    },
  }),
  'refuses-when-busy': (parts) => ({
    ...parts,
    BearerGate: class extends countingGate(parts.BearerGate) {
      protected override async whenBusy(): Promise<Admission> {
        return { refusal: this.parts.challenger.invalidToken('too many requests at once; try again later') };
      }
    },
  }),
  'accepts-when-busy': (parts) => ({
    ...parts,
    BearerGate: class extends countingGate(parts.BearerGate) {
      // A request without a token has nothing to skip, so it is refused as usual.
      protected override async whenBusy(req: IncomingMessage, url: URL): Promise<Admission> {
        const found = this.parts.extractor.extract(req, url);
        return found.kind === 'token' ? { auth: unverified(found.token) } : super.whenBusy(req, url);
      }
    },
  }),
  'token-from-query': (parts) => ({
    ...parts,
    TokenExtractor: class extends parts.TokenExtractor {
      protected override queryOnly(values: string[]): Extraction {
        return values[0] ? { kind: 'token', token: values[0] } : super.queryOnly(values);
      }
    },
  }),
  'no-400-on-header-and-query': (parts) => ({
    ...parts,
    TokenExtractor: class extends parts.TokenExtractor {
      protected override headerAndQuery(fromHeader: Extraction): Extraction {
        return fromHeader;
      }
    },
  }),
  'case-sensitive-scheme': (parts) => ({
    ...parts,
    TokenExtractor: class extends parts.TokenExtractor {
      protected override isBearer(scheme: string): boolean {
        return scheme === 'Bearer';
      }
    },
  }),
  'strips-non-ascii': (parts) => ({
    ...parts,
    TokenExtractor: class extends parts.TokenExtractor {
      // Before the b64token grammar is applied, which would otherwise refuse the header as malformed.
      protected override fromHeader(value: string): Extraction {
        return super.fromHeader(value.replace(/[^\x00-\x7f]/g, ''));
      }
    },
  }),
  'anonymous-let-through': (parts) => ({
    ...parts,
    BearerGate: class extends parts.BearerGate {
      protected override withoutToken(): Admission {
        return { auth: ANONYMOUS };
      }
    },
  }),
  'session-stands-in-for-token': (parts) => ({
    ...parts,
    BearerGate: class extends parts.BearerGate {
      protected override withoutToken(req: IncomingMessage): Admission {
        const id = req.headers['mcp-session-id'];
        const session = typeof id === 'string' ? this.parts.sessions.find(id) : undefined;
        return session ? { auth: session.openedWith } : super.withoutToken(req);
      }
    },
  }),
  'no-prm': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      // The answer the router gives any path it does not know; the URL itself stays what challenges name.
      override send(res: ServerResponse): void {
        sendJson(res, 404, { error: 'not_found' });
      }
    },
  }),
  'empty-prm-array': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      override document(): Record<string, unknown> {
        return { ...super.document(), resource_signing_alg_values_supported: [] };
      }
    },
  }),
  'no-scopes-supported': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      override document(): Record<string, unknown> {
        const { scopes_supported: _scopes, ...rest } = super.document();
        return rest;
      }
    },
  }),
  'challenge-names-wrong-metadata': (parts) => ({
    ...parts,
    Challenger: class extends parts.Challenger {
      constructor(resourceMetadata: string) {
        super(appendedWellKnown(resourceMetadata));
      }
    },
  }),
  'wrong-prm-resource': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      override document(): Record<string, unknown> {
        return { ...super.document(), resource: new URL(this.config.resource).origin };
      }
    },
  }),
  'prm-not-json': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      protected override mediaType(): string {
        return 'text/html';
      }
    },
  }),
  'no-prm-authorization-servers': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      override document(): Record<string, unknown> {
        const { authorization_servers: _servers, ...rest } = super.document();
        return rest;
      }
    },
  }),
  'query-in-bearer-methods': (parts) => ({
    ...parts,
    ProtectedResourceMetadata: class extends parts.ProtectedResourceMetadata {
      override document(): Record<string, unknown> {
        return { ...super.document(), bearer_methods_supported: ['header', 'query'] };
      }
    },
  }),
  'passthrough-token': (parts) => ({
    ...parts,
    Upstream: class extends parts.Upstream {
      protected override authorization(caller: AuthInfo | undefined): string {
        return caller?.token ? `Bearer ${caller.token}` : super.authorization(caller);
      }
    },
  }),
};

function readDefects(): ReferenceServerDefect[] {
  const names = (process.env.REFERENCE_SERVER_DEFECTS ?? '').split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !Object.hasOwn(REFERENCE_SERVER_DEFECTS, name));
  if (unknown.length) {
    process.stderr.write(`reference-server-mutant: unknown defect(s) ${unknown.join(', ')}; known: ${Object.keys(REFERENCE_SERVER_DEFECTS).join(', ')}\n`);
    process.exit(2);
  }
  return names as ReferenceServerDefect[];
}

const defects = readDefects();
if (defects.length) log('mutant', defects.map((defect) => `${defect}: ${REFERENCE_SERVER_DEFECTS[defect]}`).join('; '));
runReferenceServer(defects.reduce((parts, defect) => MUTATIONS[defect](parts), REFERENCE_PARTS));

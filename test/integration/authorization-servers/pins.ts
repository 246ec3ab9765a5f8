// Real authorization servers, configured as their documentation asks for an MCP deployment (the
// scripts are in test/targets/authorization-servers/), with every verdict the authorization-server
// suite gives them that is not a pass, and the text each one holds them to. The integration test runs
// the suite against each and expects exactly these verdicts.
import type { Status } from '../../../core/check.js';
import { USER } from '../../targets/authorization-servers/contract.js';

export interface PinnedVerdict {
  /**
   * The status every run gives; a list where the target's own scheduling decides between them (a
   * race whose outcome depends on which request reaches its store first), and `why` says which is usual.
   */
  status: Exclude<Status, 'pass'> | readonly Status[];
  /** What the target does, and the text it breaks. */
  why: string;
}

export interface AuthorizationServerPin {
  /** The script in test/targets/authorization-servers/ (without .ts). */
  target: string;
  /** Arguments of the script: its configuration. */
  args?: string[];
  implementation: string;
  configuration: string;
  /** What the configuration is, in a few words. */
  wiring: string;
  /** --scope: what an MCP client asks for after reading the server's scopes_supported. */
  scope?: string;
  /** --issuer-path: the target's issuer identifier is not the bare origin the kit assumes. */
  issuerPath?: string;
  /** --client-id: a server without registration serves only the clients it was configured with. */
  clientId?: string;
  /** --username and its password: the target shows a login form. */
  login?: { username: string; password: string };
  /** Every check that does not pass, by id (in whichever scenarios judge it). */
  verdicts: Record<string, PinnedVerdict>;
}

/** The scope every target's MCP server is configured with first (test/targets/authorization-servers/contract.ts). */
const MCP_READ = 'mcp:read';

// A server that never issues a refresh token has nothing to rotate, replay or race: the refresh
// checks are not applicable, and refresh-token-issued alone carries the verdict.
const NO_REFRESH_TOKEN = { status: 'skip', why: 'no refresh token is ever issued, so there is none to refresh (refresh-token-issued carries the verdict)' } as const;
const NO_REFRESH_RACE = { status: 'skip', why: 'no refresh token is ever issued, so no refreshes can race (refresh-token-issued carries the verdict)' } as const;

// Verdicts several targets earn the same way.
const NO_OIDC_DISCOVERY = { status: 'skip', why: 'only RFC 8414 metadata is served: without OpenID Connect discovery there is nothing to agree with' } as const;
const NO_ISS = { status: 'warn', why: 'authorization responses carry no iss and the metadata does not advertise authorization_response_iss_parameter_supported (MCP 2026-07-28 "Authorization Response Validation": SHOULD, RFC 9207 §2)' } as const;
const OPAQUE_TOKENS = { status: 'skip', why: 'the access tokens are opaque: their audience is not visible' } as const;
const RESOURCE_IGNORED = {
  fragment: { status: 'warn', why: 'resource=<MCP server>#fragment gets a code: resource is ignored (RFC 8707 §2: the value MUST NOT include a fragment; refuse with invalid_target)' },
  foreign: { status: 'warn', why: 'a redemption naming a resource this server does not serve is answered with a token instead of invalid_target: the token request\'s resource is ignored (RFC 8707 §2 and §2.2; RI-AS-02)' },
} as const;
const PKCE_OPTIONAL = {
  status: 'fail',
  why: 'a request without code_challenge gets a code: PKCE is applied only when the request carries a code_challenge, and nothing can require it (MCP "Authorization Code Protection" and OAuth 2.1 §4.1.1: PKCE is REQUIRED; RFC 7636 §4.4.1: a server requiring it answers invalid_request)',
} as const;
/** The kit asks these servers for one scope: a refresh has nothing of it to leave out. */
const ONE_SCOPE = { status: 'skip', why: 'the grant holds one scope (the kit asks for one), so a refresh has no part of it to narrow to; narrowing is judged where a grant holds two' } as const;
const REPLAY_KEEPS_TOKENS = { status: 'warn', why: 'a replayed code is refused, but the refresh token its first redemption issued keeps working: nothing links a code to its tokens (OAuth 2.1 §4.1.3 and §7.5.3: SHOULD revoke them)' } as const;

export const AUTHORIZATION_SERVER_PINS: AuthorizationServerPin[] = [
  {
    target: 'oidc-provider-9.13.3',
    args: ['--store=memory'],
    implementation: 'oidc-provider 9.13.3',
    configuration: 'in-memory store',
    wiring: 'open registration, pkce.required, resourceIndicators issuing RS256 JWT access tokens for the one MCP server, issueRefreshToken, rotateRefreshToken: true, responseTypes ["code"], an interaction handler that logs in and consents, the library\'s in-memory store',
    scope: MCP_READ,
    verdicts: {
      'refresh-scope-narrowed': ONE_SCOPE,
      'refresh-race-winner-survives': {
        status: 'warn',
        why:
          'of K simultaneous refreshes with one token the first rotates it and every other finds it consumed, upon which oidc-provider revokes the whole grant ("refresh token already used"), the winner\'s new refresh token included: every racing process of one host is signed out. rotateRefreshToken: true is documented so ("when a consumed refresh token is encountered ... the whole token chain (grant) is revoked") and has no grace window for the immediate predecessor, which RFC 9700 §4.14.2 leaves room for (RT-AS-04). Deterministic: with this store nothing yields between reading the token and consuming it',
      },
    },
  },
  {
    target: 'oidc-provider-9.13.3',
    args: ['--store=awaiting'],
    implementation: 'oidc-provider 9.13.3',
    configuration: 'a store that awaits I/O',
    wiring: 'the same configuration, the in-memory store answering each operation after 3 ms, as a database does',
    scope: MCP_READ,
    verdicts: {
      'refresh-scope-narrowed': ONE_SCOPE,
      'code-race-single-use': {
        status: 'fail',
        why: 'two redemptions of one code released together both get tokens: the authorization_code grant reads the code (find), checks `consumed` and marks it (consume) as separate store operations with no atomic check-and-set, so each racer reads it unconsumed before either writes (OAuth 2.1 §4.1.3: a code is redeemed once; O21-AS-05). Every drawn case races, so the property always fails',
      },
      'refresh-race-no-fork': {
        status: ['fail', 'pass'],
        why: 'two refreshes with one token released together both succeed with two different successors, and both successors keep working: the refresh_token grant reads the token, checks `consumed` and consumes it as separate store operations (OAuth 2.1 §4.3.1, MCP "Token Theft": rotation must detect a replay; RT-AS-02). Usually fail; pass when the shrunk case\'s second refresh reaches the store after the first consumed the token, which a loaded machine can arrange, and then refresh-race-winner-survives warns instead',
      },
      'refresh-race-one-successor': {
        status: ['warn', 'pass'],
        why: 'the same race: several successes with different successors (RT-AS-02, RT-AS-04). Usually warn; pass in the late-arrival case described under refresh-race-no-fork',
      },
      'refresh-race-winner-survives': {
        status: ['pass', 'warn'],
        why: 'usually pass, because in the shrunk case both racers won and nobody presented a consumed token; warn when a racer arrives after the consume, finds the token consumed and revokes the grant, as with the in-memory store',
      },
    },
  },
  {
    target: 'sdk-1.32.2-demo',
    implementation: '@modelcontextprotocol/sdk 1.32.2 demo',
    configuration: 'DemoInMemoryAuthProvider + mcpAuthRouter',
    wiring: 'the SDK example\'s setupAuthServer with --oauth-strict (resource checked against the MCP server), scopesSupported, rate limits off, on 127.0.0.1',
    scope: MCP_READ,
    // createOAuthMetadata writes issuerUrl.href, so the SDK's issuer identifier always ends in "/";
    // its protected-resource metadata names the same string, which is what an MCP client compares.
    issuerPath: '/',
    verdicts: {
      'refresh-scope-narrowed': { status: 'skip', why: 'no refresh token is ever issued, so there is no refresh to narrow (refresh-token-issued carries the verdict)' },
      'metadata-oidc-consistent': NO_OIDC_DISCOVERY,
      'registration-redirect-uri-rules': {
        status: 'fail',
        why: 'a client with redirect URI http://mcp-auth-conformance.example/callback is registered (201): the SDK\'s OAuthClientMetadataSchema takes any URL, where MCP "Communication Security" says all redirect URIs MUST be either localhost or use HTTPS (A-RED-04)',
      },
      'registration-error-shape': {
        status: 'fail',
        why: 'a registration body that is not JSON is answered 400 with an HTML error page (express.json() rejects it before the registration handler runs): RFC 7591 §3.2.2 says an error response is application/json with an `error` code (DCR-AS-07), and a client cannot read HTML',
      },
      'authorization-iss-sent': NO_ISS,
      'authorization-loopback-any-port': {
        status: 'fail',
        why: 'the registered loopback redirect URI on another port is refused with error=invalid_request "Unregistered redirect_uri": the router\'s redirectUriMatches lets any loopback port through (RFC 8252 §7.3), but DemoInMemoryAuthProvider.authorize then requires redirect_uris.includes(redirectUri), an exact match (OAuth 2.1 §8.4.2: any port MUST be allowed)',
      },
      'authorization-resource-fragment-refused': {
        status: 'warn',
        why: 'resource=<MCP server>#fragment gets a code: the authorize handler\'s schema takes any URL and the demo looks at the resource only when the code is redeemed (RFC 8707 §2: the value MUST NOT include a fragment; refuse with invalid_target)',
      },
      'token-redirect-uri-bound': {
        status: 'fail',
        why: 'a code is redeemed with another redirect_uri than its authorization request named: the token handler passes redirect_uri on, and exchangeAuthorizationCode never reads it (OAuth 2.1 §4.1.3; O21-AS-04: a code is bound to its redirect URI)',
      },
      'token-error-shape': {
        status: 'fail',
        why: 'a made-up code gets 500 server_error: challengeForAuthorizationCode throws a plain Error for a code it does not know, which the token handler answers as a server error (OAuth 2.1 §3.2.4: 400 invalid_grant)',
      },
      'token-replay-revokes': { status: 'skip', why: 'the first redemption issues no refresh token, so whether a replay revokes it cannot be seen from the token endpoint' },
      'token-audience': OPAQUE_TOKENS,
      'token-foreign-resource-refused': RESOURCE_IGNORED.foreign,
      'refresh-token-issued': {
        status: 'warn',
        why: 'grant_types_supported lists refresh_token and the client registered for it, but no refresh token is ever issued (exchangeAuthorizationCode returns none; exchangeRefreshToken throws "Not implemented for example demo"), so an MCP client sends its user through the browser again every hour (OAuth 2.1 §4.3; MCP "Token Theft")',
      },
      'refresh-token-rotated': NO_REFRESH_TOKEN,
      'refresh-superseded-refused': NO_REFRESH_TOKEN,
      'refresh-reuse-revokes-family': NO_REFRESH_TOKEN,
      'refresh-scope-not-widened': NO_REFRESH_TOKEN,
      'refresh-audience': NO_REFRESH_TOKEN,
      'refresh-race-no-fork': NO_REFRESH_RACE,
      'refresh-race-one-successor': NO_REFRESH_RACE,
      'refresh-race-winner-survives': NO_REFRESH_RACE,
    },
  },
  {
    target: 'node-oauth-oauth2-server-5.3.0',
    implementation: '@node-oauth/oauth2-server 5.3.0',
    configuration: 'in-memory model',
    wiring: 'OAuth2Server#authorize and #token over a Map-backed model with validateScope and a loopback-port validateRedirectUri, a fixed authenticated user; RFC 8414 metadata and RFC 7591 registration are a thin wrapper of the target\'s own, which the metadata and registration verdicts judge',
    scope: MCP_READ,
    verdicts: {
      'refresh-scope-narrowed': ONE_SCOPE,
      'metadata-oidc-consistent': NO_OIDC_DISCOVERY,
      'authorization-iss-sent': NO_ISS,
      'authorization-pkce-required': PKCE_OPTIONAL,
      'authorization-resource-fragment-refused': RESOURCE_IGNORED.fragment,
      'token-error-code': {
        status: 'warn',
        why: 'a redemption with another redirect_uri is refused with 400 invalid_request ("`redirect_uri` is invalid"), where RFC 6749 §5.2 (OAuth 2.1 §3.2.4) names invalid_grant for a grant that "does not match the redirection URI used in the authorization request"',
      },
      // revokeAuthorizationCode deletes the code; the library keeps no link from it to its tokens.
      'token-replay-revokes': REPLAY_KEEPS_TOKENS,
      'token-audience': OPAQUE_TOKENS,
      'token-foreign-resource-refused': RESOURCE_IGNORED.foreign,
      'refresh-reuse-revokes-family': {
        status: 'warn',
        why: 'a superseded refresh token is refused, but the newest one of its line keeps working: the refresh grant revokes only the token it was given (model.revokeToken) and the library has no notion of a token family (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2: reuse should end the whole grant; RT-AS-03)',
      },
      'refresh-audience': OPAQUE_TOKENS,
    },
  },
  {
    target: 'openauth-0.4.3',
    implementation: '@openauthjs/openauth 0.4.3',
    configuration: 'MemoryStorage, allow for one client',
    wiring: 'issuer() on @hono/node-server with MemoryStorage, an allow callback for the one client and its redirect URI (loopback on any port), a provider that signs the user in at once, access tokens of an hour',
    clientId: 'mcp-conformance-client',
    verdicts: {
      'refresh-scope-narrowed': ONE_SCOPE,
      'metadata-pkce-s256': {
        status: 'fail',
        why: 'the metadata has no code_challenge_methods_supported, which RFC 8414 §2 reads as no PKCE, and MCP "Authorization Code Protection" says clients MUST refuse to proceed then; OpenAuth supports S256 but does not say so',
      },
      'metadata-grant-types': { status: 'warn', why: 'the metadata has no grant_types_supported, which RFC 8414 §2 reads as ["authorization_code", "implicit"]' },
      'metadata-public-clients': { status: 'warn', why: 'the metadata has no token_endpoint_auth_methods_supported, which RFC 8414 §2 reads as client_secret_basic only, though every OpenAuth client is public' },
      'metadata-oidc-consistent': NO_OIDC_DISCOVERY,
      'authorization-iss-sent': NO_ISS,
      // /authorize keeps PKCE only when code_challenge and code_challenge_method both come.
      'authorization-pkce-required': PKCE_OPTIONAL,
      'authorization-pkce-unknown-method': {
        status: 'fail',
        why: 'code_challenge_method=S512 gets a code: the method is stored as sent and anything but plain is verified as S256 (RFC 7636 §4.4.1: a server that does not support the requested transformation MUST answer invalid_request)',
      },
      'authorization-pkce-plain-refused': { status: 'warn', why: 'code_challenge_method=plain gets a code and is honoured at the token endpoint (MCP "Authorization Code Protection": S256 only; OAuth 2.1 §4.1.1)' },
      'authorization-errors-not-redirected': {
        status: 'fail',
        why: 'a redirect URI the allow callback refuses gets error=unauthorized_client sent to that very URI: the issuer\'s onError redirects every error to the request\'s redirect_uri, an open redirector (OAuth 2.1 §4.1.2.1: MUST NOT redirect to an invalid redirect URI; MCP "Open Redirection")',
      },
      'authorization-implicit-refused': {
        status: 'fail',
        why: 'response_type=token is answered with an access token and a refresh token in the redirect\'s fragment, and response_types_supported lists token: OpenAuth serves the implicit grant OAuth 2.1 §10.1 removed',
      },
      'authorization-resource-fragment-refused': RESOURCE_IGNORED.fragment,
      'token-response-shape': { status: 'fail', why: 'token responses carry no token_type (RFC 6749 §5.1, OAuth 2.1 §3.2.3: REQUIRED)' },
      'token-error-shape': {
        status: 'fail',
        why: 'a redemption with another redirect_uri is refused with error=invalid_redirect_uri, a registration error of RFC 7591, not a token endpoint code: RFC 6749 §5.2 (OAuth 2.1 §3.2.4) names invalid_grant for it',
      },
      'token-replay-revokes': REPLAY_KEEPS_TOKENS,
      'token-audience': { status: 'warn', why: 'the access token\'s aud is the client_id, not the resource it was asked for: OpenAuth ignores resource (RFC 8707 §2: audience-restrict to the indicated resource)' },
      'refresh-superseded-refused': {
        status: 'fail',
        why: 'the first refresh token, two rotations old, is accepted again: every used refresh token stays good for 60 s after its first use (ttl.reuse), not only the immediate predecessor (OAuth 2.1 §4.3.1: the previous token is invalidated; RT-AS-04: a grace window covers only the immediate parent)',
      },
      'refresh-reuse-revokes-family': { status: 'not-reached', why: 'left undone by refresh-superseded-refused: the superseded token was accepted, so its reuse was never refused' },
      'refresh-audience': { status: 'warn', why: 'refreshed access tokens, too, have the client_id as aud (RFC 8707 §2)' },
    },
  },
  {
    target: 'better-auth-oauth-provider-1.7.5',
    implementation: '@better-auth/oauth-provider 1.7.5',
    configuration: 'memory adapter, login and consent forms',
    wiring: 'better-auth with the jwt plugin and oauthProvider (open registration, the MCP server as its one resource, the MCP scopes and offline_access) on the memory adapter with one seeded user; login and consent pages of plain HTML forms, filled in by the kit\'s user agent',
    // better-auth issues a refresh token only where offline_access is granted (OpenID Connect's
    // convention) and lists it in scopes_supported for clients to ask for; without it no refresh
    // token comes, and refresh-token-issued warns.
    scope: `${MCP_READ} offline_access`,
    // better-auth answers under its base path, and its issuer identifier includes it.
    issuerPath: '/api/auth',
    login: { username: USER.username, password: USER.password },
    verdicts: {
      // Without the openid scope the plugin serves no OpenID Connect discovery.
      'metadata-oidc-consistent': NO_OIDC_DISCOVERY,
      'registration-accepts-mcp-client': {
        status: 'warn',
        why: 'a registration without application_type (as MCP SDK clients before 2026-07-28 send it) is refused with invalid_redirect_uri "web clients require https redirect URIs on non-loopback hosts: http://127.0.0.1:45781/callback", though 127.0.0.1 is the loopback host (MCP "Client Registration"; RFC 8252 §7.3)',
      },
      'registration-error-shape': { status: 'fail', why: 'a malformed JSON body is answered 400 {"message": "Invalid JSON in request body", "code": "BAD_REQUEST"}, with no error code (RFC 7591 §3.2.2: error is REQUIRED)' },
      'token-error-shape': {
        status: 'fail',
        why: 'a redemption with a wrong code_verifier is answered 401 invalid_request "code verification failed" (RFC 7636 §4.6: MUST answer invalid_grant, a 400 by RFC 6749 §5.2)',
      },
      'refresh-race-winner-survives': {
        status: ['warn', 'pass'],
        why: 'of K simultaneous refreshes one wins; in some cases a loser finds the token already rotated and, as refreshTokenReuseInterval 0 documents ("treat any rotated refresh token reuse as replay"), revokes the family, the winner\'s new token included (RFC 9700 §4.14.2, RT-AS-04); in others the losers fail before that and the winner survives. Which happens depends on how the store\'s hashing and writes interleave, case by case: the property warns when one of its eleven cases revokes, which most runs find, and passes when none does',
      },
    },
  },
];

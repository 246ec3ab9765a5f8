// @modelcontextprotocol/client 2.4.0 (the v2 split package) behind the plainest provider its client
// guide shows (test/targets/sdk-v2-client.ts): state() compared before finishAuth(params), tokens in
// memory. Every finding was checked against the trace and the package's bundle, whose `//#region`
// comments keep the original module names (src/client/auth.ts, src/client/streamableHttp.ts).
import path from 'node:path';
import { shellQuote } from '../../../core/targets/client/process.js';
import { COLD_AT_EVERY_START, type ClientPins } from '../../support/compatibility.js';
import { plainTarget, ROOT } from '../../support/compiled.js';

const build = plainTarget('sdk-v2-client');


export const sdkClient240: ClientPins = {
  name: 'client 2.4.0',
  about:
    '`@modelcontextprotocol/client` 2.4.0 behind the plainest provider its client guide shows ([`test/targets/sdk-v2-client.ts`](test/targets/sdk-v2-client.ts)): `state()` compared before `finishAuth(params)`, tokens in memory as the guide keeps them. It checks `iss`, validates the metadata issuer, sends `application_type` and steps up with the union of scopes.',
  packages: { '@modelcontextprotocol/client': '2.4.0', '@modelcontextprotocol/core': '2.4.0' },
  build,
  command: `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, build.compiled))}`,
  findings: [
    {
      why: 'startAuthorization() throws only when code_challenge_methods_supported is present and lacks S256; an absent member lets it authorize anyway, for RFC 8414 and OIDC metadata alike (unchanged since 1.32.2).',
      verdicts: { 'auth/pkce-not-advertised:pkce-refuses-without-support': 'fail', 'auth/pkce-not-advertised-oidc:pkce-refuses-without-support-oidc': 'fail' },
    },
    {
      why: 'Tokens and client information live in memory, as the guide keeps them, so every start is cold: it authorizes again while its refresh token lives (RT-C-08) and registers again; the checks that need a refresh or a warm start do not apply.',
      verdicts: COLD_AT_EVERY_START,
    },
    {
      why: 'No discovery state in the provider, so each auth() call discovers afresh: the new PRM URL a 401 names is fetched twice in that run, and three cold copies each discover.',
      verdicts: { 'auth/discovery-new-resource-metadata:discovery-refetch-on-new-resource-metadata': 'warn', 'auth/discovery-concurrent-cold-start:discovery-single-flight': 'warn' },
    },
    {
      why: 'A PRM answering 503 is taken for "no PRM": auth() falls back to the MCP server\'s origin as the authorization server (metadata probes and a registration there), as 1.32.2 does.',
      verdicts: { 'auth/discovery-outage:discovery-outage-keeps-last-known-good': 'warn' },
    },
  ],
  counterexamples: {
    'auth/refresh-race': {
      why: 'Every copy starts cold and authorizes, since nothing is kept between starts: no refresh races, and refresh-no-reauthorization warns (RT-C-08).',
      says: /authorized again/,
      severity: 'warn',
    },
  },
};

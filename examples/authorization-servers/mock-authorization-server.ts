// The kit's own mock authorization server as a process of its own, for the authorization-server
// suite to judge (and for anyone who wants the mock on a port). It is the same set of handlers the
// client suite's world and the server suite's issuer are built from; the suite judging it is how mock
// and suite are kept honest with each other.
// Usage: node mock-authorization-server.js, with PORT (and HOST, only 127.0.0.1 is served) and
// MCP_CONFORMANCE_RESOURCE, the MCP server tokens are issued for; MOCK_REFRESH_POLICY picks how a
// superseded refresh token is treated: grace-same (the default), strict, grace-sibling, latest-wins or
// no-invalidation (the last two are deliberately broken). It prints `issuer http://127.0.0.1:PORT`
// on stderr when ready and exits 0 on SIGTERM or SIGINT, 2 when a variable is missing or wrong.
import { startIssuer } from '../../mocks/issuer.js';
import type { RefreshPolicyName } from '../../mocks/knobs.js';

const POLICIES: RefreshPolicyName[] = ['strict', 'grace-same', 'grace-sibling', 'latest-wins', 'no-invalidation'];

function fail(message: string): never {
  process.stderr.write(`mock-authorization-server: ${message}\n`);
  process.exit(2);
}

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) fail('PORT must be a port number');
const resource = process.env.MCP_CONFORMANCE_RESOURCE || fail('MCP_CONFORMANCE_RESOURCE must name the MCP server tokens are issued for');
const policy = (process.env.MOCK_REFRESH_POLICY || 'grace-same') as RefreshPolicyName;
if (!POLICIES.includes(policy)) fail(`MOCK_REFRESH_POLICY must be one of ${POLICIES.join(', ')}, not ${policy}`);

const issuer = await startIssuer({ resource, port, as: { refreshPolicy: policy } });
process.stderr.write(`issuer ${issuer.issuer} (refresh policy ${policy})\n`);
const stop = (): void => {
  void issuer.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

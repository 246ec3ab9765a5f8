// Reference MCP server for the conformance kit's server suite: an OAuth 2.1 resource server as
// MCP authorization asks for it, on @modelcontextprotocol/sdk 1.32.2 (McpServer and the stateful
// Streamable HTTP transport) with jose for JWTs, the bearer handling written out part by part.
// Usage: node reference-server.js, with the environment of the server-suite contract:
//   PORT; MCP_CONFORMANCE_RESOURCE, MCP_CONFORMANCE_ISSUER, MCP_CONFORMANCE_TOKEN_FORMAT (jwt|opaque);
//   MCP_CONFORMANCE_JWKS_URI for jwt; MCP_CONFORMANCE_INTROSPECTION_ENDPOINT, _CLIENT_ID and
//   _CLIENT_SECRET for opaque; MCP_CONFORMANCE_UPSTREAM_URL and _UPSTREAM_TOKEN, optional.
// It listens on 127.0.0.1:$PORT, prints `listening on http://127.0.0.1:PORT/mcp` on stderr when
// ready, and exits 0 on SIGTERM or SIGINT, 2 when a variable is missing.
//
// The parts, in reference/:
//   config.ts         the environment, scopes and limits
//   extract.ts        the token from the Authorization header only (query ignored, both: 400)
//   keys.ts           the AS's JWKS, fetched again at once for an unknown kid
//   jwt.ts            JWT validation: asymmetric algs, iss, aud, exp required, nbf; error texts
//   introspection.ts  RFC 7662 with client_secret_basic: active, iss and aud checked
//   verifier.ts       what a verifier answers; the AuthInfo handed to tools
//   scopes.ts         mcp:read for everything, mcp:write as well for calling test-tool
//   challenge.ts      401/403/400 with their WWW-Authenticate challenges, quoted-string safe
//   gate.ts           extraction, verification and scope checks, in that order
//   prm.ts            protected resource metadata at the path-inserted well-known URL only
//   sessions.ts       one SDK transport and McpServer per session, bound to its principal
//   tools.ts          test-tool and whoami
//   upstream.ts       the upstream API, called with the server's own credential
//   http.ts           routing, the Origin check, the body, 503/500 as a last resort
//   replies.ts        JSON and JSON-RPC error answers
//   main.ts           the replaceable parts, wiring, listening and shutdown
import { runReferenceServer } from './reference/main.js';

runReferenceServer();

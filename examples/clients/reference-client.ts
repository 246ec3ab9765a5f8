// Reference MCP client for the conformance kit: @modelcontextprotocol/sdk 1.32.2 for MCP and the
// OAuth building blocks, plus what a host needs when several of its processes share credentials.
// Usage: node reference-client.js <mcp url>
//   MCP_CONFORMANCE_STATE_DIR: where the credential store lives (shared by every copy and run;
//     default: a directory under HOME).
//   MCP_CONFORMANCE_CONTEXT: {"name":"pre-registration","client_id":...,"client_secret":...} for a
//     client the authorization server knows in advance.
//   MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION: logged only.
// It plays the browser itself: it fetches the authorization URL and follows redirects up to its
// redirect_uri, so no person and no listener is needed.
//
// The parts, in reference/:
//   store.ts        the shared credential store: one JSON file, atomic per-key writes
//   lock.ts         the store lock: in-process queue plus an O_EXCL lock file with stale recovery
//   credentials.ts  the refresh transaction: lock, re-read, adopt or refresh, persist, release
//   discovery.ts    PRM and AS metadata, validated and cached by Cache-Control
//   registration.ts pre-registered > CIMD > DCR, once per issuer
//   authorize.ts    the authorization request, the checks on its response, the code redemption
//   authorizer.ts   refresh rather than authorize, step-up, attempt limits
//   auth-fetch.ts   the transport's fetch: Bearer token on every request, 401/403 answered
//   main.ts         wiring, the MCP calls, exit codes
// Comments cite the requirement or robustness property (RT-C-*, DC-C-*, FC-C-*) each piece serves.
import { runReferenceClient } from './reference/main.js';

runReferenceClient();

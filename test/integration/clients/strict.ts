// The strict test client (test/targets/strict-client.ts): it enforces every RFC rule it can observe
// on the servers it talks to and refuses a world that breaks one, so its passing every scenario says
// the worlds are fair; it keeps its credentials in the state directory under a lock.
import path from 'node:path';
import { shellQuote } from '../../../core/targets/client/process.js';
import type { ClientPins } from '../../support/compatibility.js';
import { ROOT, STRICT_CLIENT } from '../../support/compiled.js';

export const strictClient: ClientPins = {
  name: 'strict',
  about:
    'The kit\'s strict test client ([`test/targets/strict-client.ts`](test/targets/strict-client.ts)), plain `fetch`: it refuses any server that breaks an RFC rule it can observe (RFC 9728 §3.3 resource, RFC 8414 §3.3 issuer, RFC 9207 `iss`, exact `state`, RFC 6750 challenge grammar, RFC 6749 §5.1 token responses...), and keeps its credentials in the state directory under a lock. That it passes every scenario says the worlds break none of them.',
  build: STRICT_CLIENT,
  command: `${shellQuote(process.execPath)} ${shellQuote(path.join(ROOT, STRICT_CLIENT.compiled))}`,
  findings: [
    {
      why: 'Not applicable: where it keeps a valid refresh token it never needs a second authorization, and it sends one MCP request at a time, so single flight within a process is not exercised.',
      verdicts: {
        'auth/refresh-across-runs:pkce-fresh-per-attempt': 'skip',
        'auth/auth-failure-loop:pkce-fresh-per-attempt': 'skip',
        'auth/refresh-concurrent-requests:refresh-single-flight-in-process': 'skip',
      },
    },
  ],
};

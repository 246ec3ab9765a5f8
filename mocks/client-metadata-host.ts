// Client ID metadata documents (CIMD) the kit publishes for an authorization server under test to
// fetch: an https origin on 127.0.0.1 with a certificate from a CA made for the run, served, like
// every endpoint of the kit, by MSW handlers, and recorded in the trace of the scenario that runs
// while the server fetches.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { serveHandlers } from './http-server.js';
import { RecorderSwitch, type TraceRecorder } from './recorder.js';
import { createTestCa } from './test-ca.js';

/** Requests to the host come from the authorization server under test. */
export const FETCHER_ACTOR = 'authorization-server';

interface Published {
  status: number;
  body: string;
  contentType: string;
}

export interface ClientMetadataHost {
  /** `https://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The CA's certificate file: hand it to the target as NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  /** Serves `document` (JSON unless a string) at `path` from now on; returns its URL. */
  publish(path: string, document: unknown, options?: { status?: number; contentType?: string }): string;
  recordInto(recorder: TraceRecorder): void;
  close(): Promise<void>;
}

export async function startClientMetadataHost(): Promise<ClientMetadataHost> {
  const ca = await createTestCa();
  const dir = await mkdtemp(path.join(tmpdir(), 'mcp-auth-conformance-ca-'));
  const caFile = path.join(dir, 'ca.pem');
  await writeFile(caFile, ca.caPem, { mode: 0o600 });
  const documents = new Map<string, Published>();
  const recorder = new RecorderSwitch();
  const served = await serveHandlers({
    server: 'external',
    handlers: () => [
      http.get('*', ({ request }) => {
        const published = documents.get(new URL(request.url).pathname);
        if (!published) return new HttpResponse('Not Found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
        return new HttpResponse(published.body, { status: published.status, headers: { 'Content-Type': published.contentType } });
      }),
    ],
    recorder,
    actorHeader: 'x-mcp-auth-conformance-actor',
    defaultActor: FETCHER_ACTOR,
    roleOf: () => 'cimd',
    tls: { key: ca.keyPem, cert: ca.certPem },
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    origin: served.origin,
    caFile,
    publish(where, document, options = {}) {
      const body = typeof document === 'string' ? document : JSON.stringify(document);
      documents.set(where, { status: options.status ?? 200, body, contentType: options.contentType ?? 'application/json' });
      return `${served.origin}${where}`;
    },
    recordInto(next) {
      recorder.current = next;
    },
    async close() {
      await served.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Puts the server together and runs it: read the environment, listen on 127.0.0.1:$PORT, say so
// on stderr, stop cleanly on SIGTERM or SIGINT; exit 2 on a usage error.
//
// The parts are listed in one place so a variant can swap one of them (test/mutants builds the
// reference with single defects this way) without the reference carrying switches for it.
import { createServer } from 'node:http';
import { Challenger } from './challenge.js';
import { HOST, readConfig, SHUTDOWN_GRACE_MS, UsageError, type Config } from './config.js';
import { TokenExtractor } from './extract.js';
import { BearerGate } from './gate.js';
import { requestListener, type App } from './http.js';
import { IntrospectionVerifier } from './introspection.js';
import { JwtVerifier } from './jwt.js';
import { remoteKeySet, type KeySet } from './keys.js';
import { log } from './log.js';
import { ProtectedResourceMetadata } from './prm.js';
import { ScopePolicy } from './scopes.js';
import { Sessions } from './sessions.js';
import { createMcpServer } from './tools.js';
import { Upstream } from './upstream.js';

export interface Parts {
  TokenExtractor: typeof TokenExtractor;
  JwtVerifier: typeof JwtVerifier;
  keys(jwksUri: URL): KeySet;
  IntrospectionVerifier: typeof IntrospectionVerifier;
  ScopePolicy: typeof ScopePolicy;
  Challenger: typeof Challenger;
  BearerGate: typeof BearerGate;
  ProtectedResourceMetadata: typeof ProtectedResourceMetadata;
  Upstream: typeof Upstream;
}

export const REFERENCE_PARTS: Parts = {
  TokenExtractor,
  JwtVerifier,
  keys: remoteKeySet,
  IntrospectionVerifier,
  ScopePolicy,
  Challenger,
  BearerGate,
  ProtectedResourceMetadata,
  Upstream,
};

export function assemble(config: Config, parts: Parts): App {
  const scopes = new parts.ScopePolicy();
  const prm = new parts.ProtectedResourceMetadata(config, scopes.supported);
  const challenger = new parts.Challenger(prm.url);
  // The kit says which kind of token it issues; a server of a real deployment knows it from its AS.
  const verifier = config.jwksUri ? new parts.JwtVerifier(config, parts.keys(new URL(config.jwksUri))) : new parts.IntrospectionVerifier(config);
  const upstream = config.upstream ? new parts.Upstream(config.upstream) : undefined;
  const sessions = new Sessions(() => createMcpServer(upstream));
  const gate = new parts.BearerGate({ extractor: new parts.TokenExtractor(), verifier, challenger, scopes, sessions });
  return { config, prm, gate, scopes, challenger, sessions };
}

export function runReferenceServer(parts: Parts = REFERENCE_PARTS): void {
  let config: Config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`reference-server: ${error.message}\n`);
    process.exit(2);
  }
  const app = assemble(config, parts);
  const server = createServer(requestListener(app));

  server.on('error', (error) => {
    log('failed', `cannot listen on ${HOST}:${config.port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(config.port, HOST, () => {
    log('start', `resource ${config.resource}, issuer ${config.issuer}, ${config.tokenFormat} tokens${config.upstream ? `, upstream ${config.upstream.url}` : ''}`);
    // The one line a harness waits for.
    process.stderr.write(`listening on http://${HOST}:${config.port}${config.mcpPath}\n`);
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('stop', signal);
    // Open SSE streams would keep close() waiting forever; after the grace period, exit anyway.
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    void app.sessions.closeAll().then(() => server.closeAllConnections());
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

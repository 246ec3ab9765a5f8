// The kit's mock world as a process of its own, for `npm run bench:mock`: the benchmark pins it to
// one core and loads it from another. A pre-registered public client (no registration on the
// measured path) and refresh tokens that stay valid, so one refresh token can be presented over and
// over. Every exchange is recorded, as in a scenario.
// Prints the world's facts as one JSON line on stdout once it listens; runs until SIGTERM or SIGINT.
import { knobs } from '../mocks/knobs.js';
import { TraceRecorder } from '../mocks/recorder.js';
import { startWorld } from '../mocks/world.js';

const world = await startWorld(
  knobs({ as: { preRegistered: { client_id: 'bench-client' }, tokenAuthMethods: ['none'], refreshPolicy: 'no-invalidation' } }),
  { recorder: new TraceRecorder() },
);
process.stdout.write(JSON.stringify(world.facts) + '\n');

const stop = (): void => {
  void world.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

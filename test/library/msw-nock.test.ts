// The same SDK client against the same scenario worlds, intercepted once by msw and once by nock:
// the interception must not change what the world sees or what the checks say.
import { describe, expect, it } from 'vitest';
import { driveScenario, shape, statuses } from '../support/library-drive.js';

const SCENARIOS = [
  'auth/metadata-default',
  // PRM at the root after a 404 (whose body the SDK cancels), an issuer with a path.
  'auth/metadata-var2',
  // PRM only through resource_metadata, OIDC discovery under the issuer's path.
  'auth/metadata-var3',
  // Credentials from world.context, client_secret_basic at the token endpoint.
  'auth/pre-registration',
  // Two starts: after expiry the second refreshes with the token the first kept.
  'auth/discovery-max-age',
  // Two starts: before the second, PRM names the second authorization server (another origin).
  'auth/authorization-server-migration-across-runs',
  // A client that refuses (a mix-up): nothing is redeemed, whichever way the world is reached.
  'auth/iss-wrong-issuer',
];

describe('msw and nock give the same verdicts for the same client', () => {
  it.each(SCENARIOS)('%s', async (scenario) => {
    const viaMsw = await driveScenario('msw', { scenario });
    const viaNock = await driveScenario('nock', { scenario });
    expect(statuses(viaNock.world)).toEqual(statuses(viaMsw.world));
    expect(shape(viaNock.world.trace().exchanges)).toEqual(shape(viaMsw.world.trace().exchanges));
    expect(viaNock.outcomes.map((o) => o instanceof Error)).toEqual(viaMsw.outcomes.map((o) => o instanceof Error));
  });

  it('the refresh run really refreshed, and the migration run really reached the second server', async () => {
    const refresh = await driveScenario('nock', { scenario: 'auth/discovery-max-age' });
    const grants = refresh.world.trace().exchanges.filter((e) => e.role === 'token').map((e) => new URLSearchParams(e.request.body).get('grant_type'));
    expect(grants).toEqual(['authorization_code', 'refresh_token']);
    expect(refresh.outcomes).toEqual([['test-tool'], ['test-tool']]);

    const moved = await driveScenario('nock', { scenario: 'auth/authorization-server-migration-across-runs' });
    const second = moved.world.trace().exchanges.filter((e) => e.server === 'as2');
    expect(second.map((e) => e.role)).toContain('token');
    expect(moved.outcomes).toEqual([['test-tool'], ['test-tool']]);
  });
});

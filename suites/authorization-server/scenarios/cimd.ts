// Client ID metadata documents, where the server advertises them: the kit publishes a document per
// case on its loopback HTTPS origin (a started server trusts the run's CA through NODE_EXTRA_CA_CERTS)
// and authorizes with its URL as client_id.
import type { AuthorizationServerScenario } from '../../../core/scenario.js';
import type { AuthorizationServerDrive } from '../../../core/targets/authorization-server/drive.js';
import { CIMD, CIMD_PATHS, cimdClientAccepted, cimdClientIdMatches, cimdDocumentFetched, cimdFetchFailureAborts, cimdNoSharedSecret, cimdRedirectUriChecked } from '../checks/cimd.js';
import { redirectVariants } from './authorization.js';
import { since } from '../../../core/spec.js';

async function probeMetadataDocuments(drive: AuthorizationServerDrive): Promise<void> {
  const client = drive.metadataDocumentClient(CIMD_PATHS[CIMD.valid]);
  const valid = await drive.authorize(CIMD.valid, {}, client);
  if (valid.code) await drive.redeem(`${CIMD.valid}:token`, valid);
  await drive.authorize(CIMD.unlistedRedirect, { redirect_uri: redirectVariants(drive.facts.redirectUri).pathChanged }, client);
  await drive.authorize(CIMD.mismatch, {}, drive.metadataDocumentClient(CIMD_PATHS[CIMD.mismatch], (url) => ({ client_id: url.replace('mismatched-client-id', 'another-client') })));
  await drive.authorize(CIMD.sharedSecret, {}, drive.metadataDocumentClient(CIMD_PATHS[CIMD.sharedSecret], () => ({ token_endpoint_auth_method: 'client_secret_basic' })));
  await drive.authorize(CIMD.missing, {}, drive.metadataDocumentClient(CIMD_PATHS[CIMD.missing], () => ({}), { status: 404 }));
}

export const cimdScenarios: AuthorizationServerScenario[] = [
  {
    id: 'as/cimd',
    title: 'Client ID metadata documents',
    description:
      "Where the server advertises client_id_metadata_document_supported: the kit hosts documents on a loopback HTTPS origin with a CA of the run's own (passed to a started server as NODE_EXTRA_CA_CERTS) and authorizes with their URLs as client_id: a valid public client, then a redirect URI the document does not list, a document naming another client_id, one declaring client_secret_basic, one that answers 404. A correct server fetches the document and grants only the first.",
    suites: ['authorization-server', 'registration', 'cimd'],
    specVersions: since('2025-11-25'),
    needs: ['cimd', 'login'],
    drive: probeMetadataDocuments,
    checks: [cimdDocumentFetched, cimdClientAccepted, cimdRedirectUriChecked, cimdClientIdMatches, cimdNoSharedSecret, cimdFetchFailureAborts],
  },
];

// Which client identity to use at an authorization server: pre-registered, then a client ID
// metadata document when the AS supports it, then dynamic registration (C-REG-02). Identities are
// stored per issuer and never presented to another one (C-REG-15); a registration is made once
// per issuer, by one copy under the store lock, and reused by every copy and later run (DC-C-08).
import { registerClient } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientMetadata } from '@modelcontextprotocol/sdk/shared/auth.js';
import { CIMD_URL, CLIENT_NAME, REDIRECT_URI, type Target } from './config.js';
import type { Binding } from './discovery.js';
import { log, refuse } from './log.js';
import { findIssuerRecord, issuerRecord, type ClientRecord, type CredentialStore, type StoreData } from './store.js';

export class Registrar {
  constructor(
    protected readonly store: CredentialStore,
    protected readonly target: Target,
  ) {}

  async clientFor(binding: Binding): Promise<ClientRecord> {
    const stored = this.stored(this.store.read(), binding.issuer);
    if (stored) return stored;
    return this.store.lock.withLock(async () => {
      const data = this.store.read();
      // Another copy may have registered while this one waited.
      const meanwhile = this.stored(data, binding.issuer);
      if (meanwhile) return meanwhile;
      const client = await this.obtain(binding, data);
      this.store.modify((latest) => {
        issuerRecord(latest, this.target.resource, binding.issuer).client = client;
      });
      return client;
    });
  }

  /** The identity stored for this issuer, if any. */
  protected stored(data: StoreData, issuer: string): ClientRecord | undefined {
    return findIssuerRecord(data, this.target.resource, issuer)?.client;
  }

  private async obtain(binding: Binding, data: StoreData): Promise<ClientRecord> {
    const pre = this.target.preRegistration;
    if (pre) {
      // Bound to the first issuer it was used with; another AS never sees it (C-REG-15/16).
      const records = Object.entries(data.servers[this.target.resource]?.authorizationServers ?? {});
      const boundTo = records.find(([issuer, record]) => issuer !== binding.issuer && record.client?.source === 'pre-registered' && record.client.client_id === pre.client_id)?.[0];
      if (!boundTo) {
        log('client', `pre-registered ${pre.client_id}`);
        return { ...pre, source: 'pre-registered' };
      }
      log('client', `the pre-registered client belongs to ${boundTo}, not ${binding.issuer}: not used here (C-REG-16)`);
    }
    if (binding.metadata?.client_id_metadata_document_supported === true) {
      log('client', `client ID metadata document ${CIMD_URL}`);
      return { client_id: CIMD_URL, token_endpoint_auth_method: 'none', source: 'cimd' };
    }
    if (!binding.endpoints.registration) refuse('C-REG-01', `${binding.issuer} offers no way to obtain a client id`);
    return this.register(binding);
  }

  private async register(binding: Binding): Promise<ClientRecord> {
    const offered = binding.metadata?.token_endpoint_auth_methods_supported;
    const metadata = {
      client_name: CLIENT_NAME,
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A public client when the AS allows it; otherwise the AS's first choice.
      token_endpoint_auth_method: !offered || offered.includes('none') ? 'none' : offered[0],
      // C-REG-12/13 (SEP-837): the SDK's metadata type has no application_type and it never sends one.
      application_type: 'native',
    };
    // No `scope`: a registered scope caps later grants, and step-up needs room to widen.
    const registered = await registerClient(binding.issuer, { metadata: binding.metadata, clientMetadata: metadata as OAuthClientMetadata });
    log('client', `registered ${registered.client_id} at ${binding.issuer}`);
    return {
      client_id: registered.client_id,
      ...(registered.client_secret !== undefined ? { client_secret: registered.client_secret } : {}),
      ...(registered.token_endpoint_auth_method !== undefined ? { token_endpoint_auth_method: registered.token_endpoint_auth_method } : {}),
      source: 'dcr',
    };
  }
}

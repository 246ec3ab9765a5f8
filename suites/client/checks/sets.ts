// The checks every completed authorization flow is judged by, grouped so scenarios can name them.
import type { CheckDef } from '../../../core/check.js';
import { asMetadataDiscovered, asMetadataOrder, prmDiscovered, prmDiscoveryOrder } from './discovery.js';
import { pkceChallengeSent, pkceS256, pkceVerifierMatches, pkceVerifierSent } from './pkce.js';
import { clientIdUsed, tokenEndpointAuth } from './registration.js';
import { resourceCanonical, resourceConsistent, resourceInAuthorization, resourceInToken, resourceWithoutTrailingSlash } from './resource.js';
import { stateSent } from './response.js';
import { respondsTo401, tokenAsBearer, tokenNotInQuery, tokenOnEveryRequest, tokenOnlyToItsResource } from './token-use.js';

export const DISCOVERY: CheckDef[] = [prmDiscovered, prmDiscoveryOrder, asMetadataDiscovered, asMetadataOrder];
export const AUTHORIZATION_REQUEST: CheckDef[] = [pkceChallengeSent, pkceS256, resourceInAuthorization, stateSent];
export const REDEMPTION: CheckDef[] = [clientIdUsed, tokenEndpointAuth, pkceVerifierSent, pkceVerifierMatches, resourceInToken, resourceCanonical, resourceWithoutTrailingSlash, resourceConsistent];
export const TOKEN_USE: CheckDef[] = [respondsTo401, tokenAsBearer, tokenOnEveryRequest, tokenNotInQuery, tokenOnlyToItsResource];

/** A full flow against a 2025-06-18-or-later server. */
export const FLOW: CheckDef[] = [...DISCOVERY, ...AUTHORIZATION_REQUEST, ...REDEMPTION, ...TOKEN_USE];

/** A full flow against a 2025-03-26 server (no PRM, metadata at the server's origin or none). */
export const LEGACY_FLOW: CheckDef[] = [...AUTHORIZATION_REQUEST, ...REDEMPTION, ...TOKEN_USE];

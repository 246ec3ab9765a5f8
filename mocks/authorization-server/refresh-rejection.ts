// How a refused refresh is answered. RFC 6749 §5.2 says 400 invalid_grant; real servers also send
// 401, 403, 404 and unauthorized_client (research notes §1.9), and a client must treat every one
// of them as "this refresh token is dead", never as a reason to clear a newer one.
import { HttpResponse } from 'msw';
import type { RefreshRejectionShape } from '../knobs.js';
import { oauthError } from './oauth-error.js';

export type RefreshRejection = (description: string, headers?: Record<string, string>) => Response;

export const refreshRejections: Record<RefreshRejectionShape, RefreshRejection> = {
  invalid_grant: (description, headers) => oauthError(400, 'invalid_grant', description, headers),
  '401': (description, headers) => oauthError(401, 'invalid_grant', description, headers),
  '403': (description, headers) => oauthError(403, 'invalid_grant', description, headers),
  // Anthropic's API error envelope, not an OAuth error body at all (claude-code #27933).
  '404': (_description, headers) => HttpResponse.json({ type: 'error', error: { type: 'not_found_error' } }, { status: 404, headers }),
  unauthorized_client: (description, headers) => oauthError(400, 'unauthorized_client', description, headers),
};

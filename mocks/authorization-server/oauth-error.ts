import { HttpResponse } from 'msw';

/** An RFC 6749 §5.2 error body. */
export function oauthError(status: number, error: string, description?: string, headers?: Record<string, string>): HttpResponse<Record<string, string>> {
  const body: Record<string, string> = { error };
  if (description) body.error_description = description;
  return HttpResponse.json(body, { status, headers });
}

// Dynamic client registration (RFC 7591) as MCP clients use it: a loopback public client registered
// the way the SDKs send it, unknown metadata ignored, invalid values refused with an OAuth error in
// JSON, and redirect URIs held to "localhost or HTTPS".
import { met, missing, skip, unmet, type CheckDef, type Finding } from '../../../core/check.js';
import { since } from '../../../core/spec.js';
import { requestJson } from '../../../core/trace-query.js';
import type { Exchange, Trace } from '../../../core/trace.js';
import { LINK } from '../links.js';
import { describeAnswer, ev, isSuccess, labelled, labelledAll, metadataOf, noAnswer, oauthError, oauthErrorDefect } from '../observe.js';

export const REGISTER = {
  mcp: 'register:mcp-client',
  withoutApplicationType: 'register:mcp-client-without-application-type',
  unknownField: 'register:unknown-field',
  httpRedirect: 'register:http-redirect-uri',
  notUri: 'register:redirect-uri-not-a-uri',
  invalidMetadata: 'register:grant-types-not-a-list',
  malformed: 'register:malformed-json',
} as const;

const ALL = since('2025-03-26');

/** RFC 7591 §3.2.2's codes. */
const REGISTRATION_ERRORS = new Set(['invalid_redirect_uri', 'invalid_client_metadata', 'invalid_software_statement', 'unapproved_software_statement']);

function withEndpoint(trace: Trace, judge: () => Finding): Finding {
  if (typeof metadataOf(trace)?.registration_endpoint !== 'string') return skip('the server advertises no registration_endpoint (registration is optional)');
  return judge();
}

export const registrationAcceptsMcpClient: CheckDef = {
  id: 'registration-accepts-mcp-client',
  title: 'open registration accepts a loopback public client as MCP SDKs register it, with and without `application_type`',
  requirements: ['DCR-AS-03', 'DCR-AS-01'],
  level: 'SHOULD',
  specVersions: ALL,
  specLinks: [LINK.rfc7591Request, LINK.mcpRegistration],
  judge: (trace) =>
    withEndpoint(trace, () => {
      const tries = [labelled(trace, REGISTER.mcp), labelled(trace, REGISTER.withoutApplicationType)];
      if (tries.some((e) => !e)) return missing('the kit sent no MCP-shaped registration');
      for (const e of tries as Exchange[]) {
        if (!e.response) return noAnswer(e);
        if (!isSuccess(e)) return unmet(`${e.label} was refused: ${describeAnswer(e)}; MCP clients that register themselves cannot use this server`, [ev(e, 'response.status')]);
      }
      return met('both registrations were accepted', tries.map((e) => ev(e!)));
    }),
};

export const registrationResponse: CheckDef = {
  id: 'registration-response',
  title: 'a registration answers 201 Created with JSON: client_id, the registered metadata, client_secret_expires_at beside a secret',
  requirements: ['DCR-AS-06'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc7591Response],
  judge: (trace) =>
    withEndpoint(trace, () => {
      const accepted = labelledAll(trace, 'register').filter(isSuccess);
      // Refusing MCP-shaped registrations is registration-accepts-mcp-client's verdict, a SHOULD: nothing to judge here.
      if (accepted.length === 0) return skip('no registration was accepted (registration-accepts-mcp-client judges that)');
      for (const e of accepted) {
        const reading = oauthError(e)!;
        if (reading.status !== 201) return unmet(`${e.label} answered ${reading.status}, not 201 Created`, [ev(e, 'response.status')]);
        if (reading.mediaType !== 'application/json' || !reading.json) return unmet(`${e.label} answered 201 with ${reading.mediaType || 'no Content-Type'}, not a JSON object`, [ev(e, 'response.header.content-type')]);
        const json = reading.json;
        if (typeof json.client_id !== 'string' || json.client_id === '') return unmet(`${e.label}: the response has no client_id`, [ev(e, 'response.body.client_id')]);
        if (typeof json.client_secret === 'string' && typeof json.client_secret_expires_at !== 'number') {
          return unmet(`${e.label}: a client_secret was issued without client_secret_expires_at (REQUIRED with a secret; 0 means never)`, [ev(e, 'response.body.client_secret_expires_at')]);
        }
        const asked = requestJson(e)?.redirect_uris;
        if (Array.isArray(asked) && !Array.isArray(json.redirect_uris)) return unmet(`${e.label}: the response leaves out the registered redirect_uris (the server MUST return all registered metadata)`, [ev(e, 'response.body.redirect_uris')]);
      }
      return met(`${accepted.length} registration(s) answered 201 with client_id and the registered metadata`, accepted.map((e) => ev(e)));
    }),
};

export const registrationIgnoresUnknown: CheckDef = {
  id: 'registration-ignores-unknown-metadata',
  title: 'metadata the server does not understand is ignored, not refused',
  requirements: ['DCR-AS-04'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc7591Metadata],
  judge: (trace) =>
    withEndpoint(trace, () => {
      const plain = labelled(trace, REGISTER.mcp);
      const extra = labelled(trace, REGISTER.unknownField);
      if (!plain || !extra) return missing('the kit sent no registration with an unknown field');
      if (!isSuccess(plain)) return skip('the plain registration was refused too (registration-accepts-mcp-client judges that)');
      if (!extra.response) return noAnswer(extra);
      if (!isSuccess(extra)) return unmet(`the same registration with one unknown field was refused: ${describeAnswer(extra)}`, [ev(extra, 'request.body.x_mcp_auth_conformance_unknown')]);
      return met('the registration with an unknown field was accepted', [ev(extra)]);
    }),
};

export const registrationRedirectUris: CheckDef = {
  id: 'registration-redirect-uri-rules',
  title: 'redirect URIs that are neither HTTPS nor loopback, or not URIs at all, are refused at registration',
  requirements: ['A-RED-04', 'DCR-AS-09'],
  level: 'MUST',
  specVersions: since('2025-03-26'),
  specLinks: [LINK.mcpCommunicationSecurity, LINK.rfc7591Error],
  judge: (trace) =>
    withEndpoint(trace, () => {
      const tries = [labelled(trace, REGISTER.httpRedirect), labelled(trace, REGISTER.notUri)];
      if (tries.some((e) => !e)) return missing('the kit sent no registration with a bad redirect URI');
      for (const e of tries as Exchange[]) {
        if (!e.response) return noAnswer(e);
        const uri = (requestJson(e)?.redirect_uris as unknown[] | undefined)?.[0];
        if (isSuccess(e)) return unmet(`a client with redirect URI ${JSON.stringify(uri)} was registered (${e.response.status}): redirect URIs must be localhost or HTTPS`, [ev(e, 'request.body.redirect_uris')]);
      }
      return met('both bad redirect URIs were refused', tries.map((e) => ev(e!, 'response.status')));
    }),
};

export const registrationInvalidMetadata: CheckDef = {
  id: 'registration-invalid-metadata',
  title: 'an invalid value of a known field is refused, or replaced by a valid one in the response',
  requirements: ['DCR-AS-05', 'DCR-AS-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc7591Metadata, LINK.rfc7591Error],
  judge: (trace) =>
    withEndpoint(trace, () => {
      const e = labelled(trace, REGISTER.invalidMetadata);
      if (!e) return missing('the kit sent no registration with an invalid field');
      if (!e.response) return noAnswer(e);
      if (!isSuccess(e)) return met(`grant_types "authorization_code" (a string, not a list) was refused: ${describeAnswer(e)}`, [ev(e)]);
      const json = oauthError(e)?.json;
      if (json && json.grant_types !== undefined && !Array.isArray(json.grant_types)) {
        return unmet(`grant_types "authorization_code" (a string, not a list) was registered and returned as ${JSON.stringify(json.grant_types)}`, [ev(e, 'response.body.grant_types')]);
      }
      return met('the invalid grant_types was replaced by a valid value', [ev(e, 'response.body.grant_types')]);
    }),
};

export const registrationErrorShape: CheckDef = {
  id: 'registration-error-shape',
  title: 'a refused registration answers 400 with a JSON OAuth error (invalid_redirect_uri or invalid_client_metadata for a bad redirect URI), never HTML or 5xx',
  requirements: ['DCR-AS-07'],
  level: 'MUST',
  specVersions: ALL,
  specLinks: [LINK.rfc7591Error],
  judge: (trace) =>
    withEndpoint(trace, () => {
      const refused = labelledAll(trace, 'register').filter((e) => e.response && !isSuccess(e));
      const malformed = labelled(trace, REGISTER.malformed);
      if (malformed && !malformed.response) return noAnswer(malformed);
      if (refused.length === 0) return missing('no registration was refused');
      for (const e of refused) {
        const badRedirect = e.label === REGISTER.httpRedirect || e.label === REGISTER.notUri;
        // RFC 7591 §3.2.2 has invalid_redirect_uri for exactly this, but invalid_client_metadata is not wrong either.
        const wrong = oauthErrorDefect(e, undefined, badRedirect ? ['invalid_redirect_uri', 'invalid_client_metadata'] : undefined);
        if (wrong) return unmet(`${e.label} ${wrong}`, [ev(e, oauthError(e)!.status !== 400 ? 'response.status' : 'response.body')]);
      }
      const unknownCodes = refused.map((e) => oauthError(e)!.error!).filter((code) => !REGISTRATION_ERRORS.has(code));
      const note = unknownCodes.length > 0 ? ` (also ${[...new Set(unknownCodes)].join(', ')}, beside RFC 7591's own codes)` : '';
      return met(`${refused.length} refusal(s), each 400 with a JSON OAuth error${note}`, refused.map((e) => ev(e)));
    }),
};

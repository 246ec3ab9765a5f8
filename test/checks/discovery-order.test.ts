import { describe, expect, it } from 'vitest';
import { asMetadataOrder, prmDiscoveryOrder } from '../../suites/client/checks/discovery.js';
import { AS, RS, facts, trace } from '../support/trace-builder.js';

const prmPath = `${RS}/.well-known/oauth-protected-resource/mcp`;
const prmRoot = `${RS}/.well-known/oauth-protected-resource`;

describe('prm-discovery-order', () => {
  const probing = facts({ prmUrl: prmRoot }, { prm: { location: 'root', advertise: false } });

  it('accepts path-inserted then root when the first answers 404', () => {
    const t = trace(probing, [
      { role: 'prm', url: prmPath, status: 404 },
      { role: 'prm', url: prmRoot },
    ]);
    expect(prmDiscoveryOrder.judge(t).outcome).toBe('met');
  });

  it('rejects root before path-inserted and names the offending request', () => {
    const t = trace(probing, [{ role: 'prm', url: prmRoot }]);
    const finding = prmDiscoveryOrder.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding).toMatchObject({ evidence: [{ exchange: 1 }] });
    expect(finding.message).toContain('choice 2');
  });

  it('rejects probing on after the document was found', () => {
    const advertised = facts({}, { prm: { location: 'path', advertise: true } });
    const t = trace(advertised, [
      { role: 'prm', url: prmPath },
      { role: 'prm', url: prmRoot, status: 404 },
    ]);
    const finding = prmDiscoveryOrder.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding.message).toContain('already answered');
  });

  it('does not count a re-fetch of the same URL as a new probe', () => {
    const advertised = facts({}, { prm: { location: 'path', advertise: true } });
    const t = trace(advertised, [
      { role: 'prm', url: prmPath },
      { role: 'prm', url: prmPath },
    ]);
    expect(prmDiscoveryOrder.judge(t).outcome).toBe('met');
  });

  it('judges probes made before any challenge by the well-known order, and those after it by the challenge', () => {
    const custom = `${RS}/custom/metadata/location.json`;
    const advertised = facts({ prmUrl: custom }, { prm: { location: 'custom', advertise: true } });
    const challenged = { role: 'mcp' as const, method: 'POST', url: `${RS}/mcp`, status: 401, responseHeaders: { 'www-authenticate': `Bearer resource_metadata="${custom}"` } };
    // A client discovering ahead of its first request: nothing names the document yet.
    const ahead = trace(advertised, [{ role: 'prm', url: prmPath, status: 404 }, { role: 'prm', url: prmRoot, status: 404 }, challenged, { role: 'prm', url: custom }]);
    expect(prmDiscoveryOrder.judge(ahead).outcome).toBe('met');
    // Once the challenge names it, the well-known URIs come too late.
    const ignoring = trace(advertised, [challenged, { role: 'prm', url: prmPath, status: 404 }, { role: 'prm', url: custom }]);
    expect(prmDiscoveryOrder.judge(ignoring)).toMatchObject({ outcome: 'unmet', message: expect.stringContaining('which is not one of the locations to try') });
    // Ahead of the challenge, the order still holds.
    const backwards = trace(advertised, [{ role: 'prm', url: prmRoot, status: 404 }, challenged, { role: 'prm', url: custom }]);
    expect(prmDiscoveryOrder.judge(backwards)).toMatchObject({ outcome: 'unmet', message: expect.stringContaining('choice 2') });
  });

  it('fails with a reason when the client never looked', () => {
    const finding = prmDiscoveryOrder.judge(trace(probing, []));
    expect(finding.outcome).toBe('missing');
  });
});

describe('as-metadata-discovery-order', () => {
  const pathIssuer = facts({
    issuer: `${AS}/tenant1`,
    asMetadataProbeOrder: [
      `${AS}/.well-known/oauth-authorization-server/tenant1`,
      `${AS}/.well-known/openid-configuration/tenant1`,
      `${AS}/tenant1/.well-known/openid-configuration`,
    ],
  });

  it('accepts the three C-ASM-03 locations in order', () => {
    const t = trace(pathIssuer, [
      { role: 'as-metadata', url: `${AS}/.well-known/oauth-authorization-server/tenant1`, status: 404 },
      { role: 'as-metadata', url: `${AS}/.well-known/openid-configuration/tenant1`, status: 404 },
      { role: 'as-metadata', url: `${AS}/tenant1/.well-known/openid-configuration` },
    ]);
    expect(asMetadataOrder.judge(t).outcome).toBe('met');
  });

  it('rejects the root metadata URL for an issuer with a path', () => {
    const t = trace(pathIssuer, [{ role: 'as-metadata', url: `${AS}/.well-known/oauth-authorization-server`, status: 404 }]);
    const finding = asMetadataOrder.judge(t);
    expect(finding.outcome).toBe('unmet');
    expect(finding.message).toContain('not one of the locations');
  });

  it('ignores the kit browser and judges only client requests', () => {
    const t = trace(pathIssuer, [
      { role: 'as-metadata', url: `${AS}/.well-known/oauth-authorization-server`, actor: 'browser', status: 404 },
      { role: 'as-metadata', url: `${AS}/.well-known/oauth-authorization-server/tenant1` },
    ]);
    expect(asMetadataOrder.judge(t).outcome).toBe('met');
  });
});

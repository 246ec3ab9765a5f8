// A certificate authority made for one run, and a certificate it signs for 127.0.0.1: what lets the
// kit host documents on loopback HTTPS (a client ID metadata document must be an https URL) for a
// target that trusts this CA alone (NODE_EXTRA_CA_CERTS), and nobody else. Keys are made with
// node:crypto; node-forge only assembles and signs the certificates, which node:crypto cannot.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface TestCa {
  /** The CA certificate, PEM: what a target is told to trust. */
  caPem: string;
  /** The server certificate for 127.0.0.1 and localhost, and its key, PEM. */
  certPem: string;
  keyPem: string;
}

/** A day: longer than any run, short enough that a certificate left in a temp directory is soon useless. */
const LIFETIME_MS = 24 * 60 * 60 * 1000;

const generateRsa = promisify(generateKeyPair);

async function keyPair(): Promise<{ pem: string; privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.PublicKey }> {
  const { privateKey, publicKey } = await generateRsa('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { pem: privateKey, privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

function certificate(publicKey: forge.pki.PublicKey, subject: forge.pki.CertificateField[], issuer: forge.pki.CertificateField[], extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive and unique per certificate (RFC 5280 §4.1.2.2).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + LIFETIME_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  cert.setExtensions(extensions);
  return cert;
}

export async function createTestCa(): Promise<TestCa> {
  // Off the main thread and side by side: key generation is most of the cost.
  const [ca, server] = await Promise.all([keyPair(), keyPair()]);
  const caName = [{ name: 'commonName', value: `mcp-auth-conformance test CA ${randomBytes(4).toString('hex')}` }];
  const caCert = certificate(ca.publicKey, caName, caName, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const serverCert = certificate(server.publicKey, [{ name: 'commonName', value: '127.0.0.1' }], caName, [
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    { name: 'extKeyUsage', serverAuth: true },
  ]);
  serverCert.sign(ca.privateKey, forge.md.sha256.create());
  return { caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(serverCert), keyPem: server.pem };
}

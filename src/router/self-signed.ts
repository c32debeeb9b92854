/**
 * A self-signed certificate: what the router presents to a TLS client whose
 * SNI names no Ingress certificate (HAProxy needs one to listen at all), as
 * ingress controllers serve their "fake certificate". Tests use it too.
 */
import { generateKeyPair, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export function selfSignedPem(commonName: string, dnsNames: string[] = [commonName], days = 3650): string {
  return certificateFor(generateKeyPairSync('rsa', { modulusLength: 2048 }), commonName, dnsNames, days);
}

/** The same, its RSA key made on libuv's thread pool (a few hundred ms of CPU off the caller's thread). */
export async function selfSignedPemAsync(commonName: string, dnsNames: string[] = [commonName], days = 3650) {
  const keys = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return certificateFor(keys, commonName, dnsNames, days);
}

function certificateFor(
  { privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject },
  commonName: string,
  dnsNames: string[],
  days: number,
): string {
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f; // positive
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000);
  cert.validity.notAfter = new Date(now + days * 86_400_000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: dnsNames.map((value) => ({ type: 2, value })) },
  ]);
  // Signed by node's own RSA: forge's, in JavaScript, cost ~150 ms of CPU at every router start on a fresh run dir.
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids['sha256WithRSAEncryption']!;
  const tbs = forge.asn1.toDer(tbsOf(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), privateKey).toString('binary');
  return `${forge.pki.certificateToPem(cert).trim()}\n${keyPem.trim()}\n`;
}

/** forge's typings lack the TBSCertificate builder its own sign() uses. */
const tbsOf = (cert: forge.pki.Certificate): forge.asn1.Asn1 =>
  (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);

/** Splits a PEM bundle into its certificate part and its key part (as a kubernetes.io/tls Secret holds them). */
export function splitPem(pem: string): { crt: string; key: string } {
  const keyAt = pem.search(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  return { crt: pem.slice(0, keyAt), key: pem.slice(keyAt) };
}

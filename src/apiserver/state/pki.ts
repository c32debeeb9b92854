/**
 * The cluster's CA and the API server's serving certificate, generated on
 * first start and kept in the state directory so clients keep trusting the
 * server across restarts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

interface ServingPki {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

function newKeyPem(): string {
  // node's native RSA generation is ~100x faster than forge's pure-JS one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}

function serial(): string {
  // Positive 128-bit serial (leading byte < 0x80).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function makeCert(opts: {
  subjectCN: string;
  publicKeyPem: string;
  signingKeyPem: string;
  issuer?: forge.pki.Certificate;
  isCA: boolean;
  /** Validity in years; `days` wins when given (users' certificates are shorter-lived). */
  years: number;
  days?: number;
  dnsNames?: string[];
  ips?: string[];
  /** Extended key usage of a leaf certificate (default server); peer is both (etcd members). */
  usage?: 'server' | 'client' | 'peer';
  /** Subject O values: the groups of a client certificate's user. */
  organizations?: string[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = serial();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + (opts.days ?? opts.years * 365) * 24 * 3600_000);
  cert.setSubject([
    { name: 'commonName', value: opts.subjectCN },
    ...(opts.organizations ?? []).map((value) => ({ name: 'organizationName', value })),
  ]);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : [{ name: 'commonName', value: opts.subjectCN }]);
  const ext: { name: string; [field: string]: unknown }[] = [
    { name: 'basicConstraints', cA: opts.isCA, critical: true },
    opts.isCA
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!opts.isCA && opts.usage === 'client') {
    ext.push({ name: 'extKeyUsage', clientAuth: true });
  } else if (!opts.isCA) {
    ext.push({ name: 'extKeyUsage', serverAuth: true, ...(opts.usage === 'peer' ? { clientAuth: true } : {}) });
    const altNames = [
      ...(opts.dnsNames ?? []).map((value) => ({ type: 2, value })),
      ...(opts.ips ?? []).map((ip) => ({ type: 7, ip })),
    ];
    ext.push({ name: 'subjectAltName', altNames });
  }
  cert.setExtensions(ext);
  cert.sign(forge.pki.privateKeyFromPem(opts.signingKeyPem), forge.md.sha256.create());
  return cert;
}

function publicPemOf(keyPem: string): string {
  const priv = forge.pki.privateKeyFromPem(keyPem);
  return forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(priv.n, priv.e));
}

/** Names and addresses the serving certificate must cover. */
interface ServingNames {
  dnsNames: string[];
  ips: string[];
}

export const defaultServingNames = (extraIps: string[], serviceIp: string, clusterDomain: string): ServingNames => ({
  dnsNames: [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${clusterDomain}`,
  ],
  ips: [...new Set(['127.0.0.1', '::1', serviceIp, ...extraIps])],
});

/**
 * Load the CA and serving certificate from dir, creating what is missing.
 * The serving certificate is re-issued when it lacks a requested name.
 */
export function ensurePki(dir: string, names: ServingNames): ServingPki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKeyPath = join(dir, 'ca.key'),
    caCertPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'apiserver.key'),
    certPath = join(dir, 'apiserver.crt');
  if (!existsSync(caKeyPath) || !existsSync(caCertPath)) {
    const caKey = newKeyPem();
    const ca = makeCert({
      subjectCN: 'podnet-ca',
      publicKeyPem: publicPemOf(caKey),
      signingKeyPem: caKey,
      isCA: true,
      years: 10,
    });
    writeFileSync(caKeyPath, caKey, { mode: 0o600 });
    writeFileSync(caCertPath, forge.pki.certificateToPem(ca));
  }
  const caKeyPem = readFileSync(caKeyPath, 'utf8');
  const caCertPem = readFileSync(caCertPath, 'utf8');
  const ca = forge.pki.certificateFromPem(caCertPem);
  if (!existsSync(keyPath) || !existsSync(certPath) || !coversNames(readFileSync(certPath, 'utf8'), names)) {
    const key = existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : newKeyPem();
    const cert = makeCert({
      subjectCN: 'kube-apiserver',
      publicKeyPem: publicPemOf(key),
      signingKeyPem: caKeyPem,
      issuer: ca,
      isCA: false,
      years: 5,
      dnsNames: names.dnsNames,
      ips: names.ips,
    });
    writeFileSync(keyPath, key, { mode: 0o600 });
    writeFileSync(certPath, forge.pki.certificateToPem(cert));
  }
  return { caCertPem, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

function coversNames(certPem: string, names: ServingNames): boolean {
  const cert = forge.pki.certificateFromPem(certPem);
  const san = cert.getExtension('subjectAltName') as {
    altNames?: { type: number; value?: string; ip?: string }[];
  } | null;
  const have = new Set((san?.altNames ?? []).map((a) => a.ip ?? a.value ?? ''));
  return (
    [...names.dnsNames, ...names.ips.map(normalizeIp)].every((n) => have.has(n)) &&
    cert.validity.notAfter.getTime() > Date.now() + 30 * 24 * 3600_000
  );
}

// forge reports IPv6 SANs in full form; compare like with like.
function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  // The typings lack these two helpers; they are part of forge's util.
  const util = forge.util as unknown as { bytesFromIP(ip: string): string | null; bytesToIP(b: string): string };
  const bytes = util.bytesFromIP(ip);
  return bytes ? util.bytesToIP(bytes) : ip;
}

/** The CN of the API server's client certificate towards node agents (kubeadm's name). */
const KUBELET_CLIENT_CN = 'kube-apiserver-kubelet-client';

interface KeyPair {
  certPem: string;
  keyPem: string;
}

function loadCa(dir: string): { ca: forge.pki.Certificate; caKeyPem: string } {
  const caCertPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
  return { ca: forge.pki.certificateFromPem(caCertPem), caKeyPem: readFileSync(join(dir, 'ca.key'), 'utf8') };
}

/**
 * The API server's client certificate for node agents' streaming endpoints
 * (exec, attach, logs, port-forward), from the cluster CA; created once.
 */
export function ensureKubeletClientCert(dir: string): KeyPair {
  const certPath = join(dir, 'apiserver-kubelet-client.crt');
  const keyPath = join(dir, 'apiserver-kubelet-client.key');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    const { ca, caKeyPem } = loadCa(dir);
    const key = newKeyPem();
    const cert = makeCert({
      subjectCN: KUBELET_CLIENT_CN,
      organizations: ['system:masters'],
      publicKeyPem: publicPemOf(key),
      signingKeyPem: caKeyPem,
      issuer: ca,
      isCA: false,
      years: 5,
      usage: 'client',
    });
    writeFileSync(keyPath, key, { mode: 0o600 });
    writeFileSync(certPath, forge.pki.certificateToPem(cert));
  }
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

/**
 * A client certificate for a user of the cluster, signed by the cluster CA
 * in pkiDir: the API server takes the subject's CN as the user name and
 * each O as a group, as kube-apiserver's x509 authenticator does. Not kept
 * on disk: it goes into the user's kubeconfig.
 */
export function issueUserCert(pkiDir: string, user: { name: string; groups: string[]; days: number }): KeyPair {
  const { ca, caKeyPem } = loadCa(pkiDir);
  const key = newKeyPem();
  const cert = makeCert({
    subjectCN: user.name,
    organizations: user.groups,
    publicKeyPem: publicPemOf(key),
    signingKeyPem: caKeyPem,
    issuer: ca,
    isCA: false,
    years: 1,
    days: user.days,
    usage: 'client',
  });
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key };
}

/**
 * A node agent's serving certificate for its streaming endpoint, signed by the
 * cluster CA in pkiDir and written to outDir/node.{crt,key}; re-issued when it
 * does not cover the node's name and addresses. Minted where the node's
 * token is (podnet up, podnet node-cert).
 */
export function ensureNodeServingCert(pkiDir: string, outDir: string, nodeName: string, ips: string[]): KeyPair {
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const certPath = join(outDir, 'node.crt');
  const keyPath = join(outDir, 'node.key');
  const names: ServingNames = { dnsNames: [nodeName], ips };
  if (!existsSync(certPath) || !existsSync(keyPath) || !coversNames(readFileSync(certPath, 'utf8'), names)) {
    const { ca, caKeyPem } = loadCa(pkiDir);
    const key = existsSync(keyPath) ? readFileSync(keyPath, 'utf8') : newKeyPem();
    const cert = makeCert({
      subjectCN: `system:node:${nodeName}`,
      publicKeyPem: publicPemOf(key),
      signingKeyPem: caKeyPem,
      issuer: ca,
      isCA: false,
      years: 5,
      dnsNames: [nodeName],
      ips,
    });
    writeFileSync(keyPath, key, { mode: 0o600 });
    writeFileSync(certPath, forge.pki.certificateToPem(cert));
  }
  return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

/** A CA of its own in dir (ca.crt, ca.key), created once: etcd's, kept apart from the cluster CA as kubeadm does. */
export function ensureCa(dir: string, commonName: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'ca.crt');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    const key = newKeyPem();
    const ca = makeCert({
      subjectCN: commonName,
      publicKeyPem: publicPemOf(key),
      signingKeyPem: key,
      isCA: true,
      years: 10,
    });
    writeFileSync(keyPath, key, { mode: 0o600 });
    writeFileSync(certPath, forge.pki.certificateToPem(ca));
  }
  return certPath;
}

/**
 * A leaf certificate signed by the CA in caDir, written to caDir/<base>.{crt,key};
 * re-issued when it lacks a requested address. Returns the two paths.
 */
export function ensureLeafCert(
  caDir: string,
  base: string,
  opts: { commonName: string; usage: 'server' | 'client' | 'peer'; ips?: string[]; dnsNames?: string[] },
): { certFile: string; keyFile: string } {
  const certFile = join(caDir, `${base}.crt`);
  const keyFile = join(caDir, `${base}.key`);
  const names: ServingNames = { dnsNames: opts.dnsNames ?? [], ips: opts.ips ?? [] };
  const stale =
    !existsSync(certFile) ||
    !existsSync(keyFile) ||
    (opts.usage !== 'client' && !coversNames(readFileSync(certFile, 'utf8'), names));
  if (stale) {
    const { ca, caKeyPem } = loadCa(caDir);
    const key = existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : newKeyPem();
    const cert = makeCert({
      subjectCN: opts.commonName,
      publicKeyPem: publicPemOf(key),
      signingKeyPem: caKeyPem,
      issuer: ca,
      isCA: false,
      years: 5,
      usage: opts.usage,
      ...names,
    });
    writeFileSync(keyFile, key, { mode: 0o600 });
    writeFileSync(certFile, forge.pki.certificateToPem(cert));
  }
  return { certFile, keyFile };
}

/**
 * The key that signs ServiceAccount tokens (kube's --service-account-key-file
 * and --service-account-signing-key-file in one): DIR/pki/sa.key, made on
 * first start, mode 0600. API servers sharing DIR/pki share it, so each
 * accepts the tokens any of them issued.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function ensureSigningKey(pkiDir: string): SigningKey {
  const path = join(pkiDir, 'sa.key');
  if (!existsSync(path)) {
    mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  const privateKey = createPrivateKey(readFileSync(path));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

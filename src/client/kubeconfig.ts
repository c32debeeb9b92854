/**
 * Reads a kubeconfig file (the format kubectl uses) into connection settings,
 * so every podnet component can also run against a real cluster.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ExecConfig } from './exec-credential.js';

/** The YAML parser, loaded on first use: it is ~9 MiB of resident memory that a component given --server/--token never needs. */
const parseYaml = (text: string): unknown =>
  (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);

/** How to reach and authenticate to one API server. */
export interface ClientConfig {
  /** Base URL, e.g. https://127.0.0.1:6443 */
  server: string;
  /**
   * Every API server of the cluster, for failover (server is tried first);
   * from the kubeconfig cluster extension podnet.io/apiservers.
   */
  servers?: string[];
  /** Bearer token. */
  token?: string;
  /** PEM of the CA(s) that signed the server certificate; when set, only these are trusted. */
  caCertPem?: string;
  /** PEM client certificate and key (mutual TLS), as kind and kubeadm clusters issue them. */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Skip server certificate verification (kubeconfig insecure-skip-tls-verify). */
  insecureSkipTlsVerify?: boolean;
  /** A credential plugin (kubeconfig users[].user.exec) that prints the token or client certificate. */
  exec?: ExecConfig;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}
type Dict = Record<string, unknown>;

/**
 * Loads the given context (default: current-context) of a kubeconfig file.
 * Supports server, certificate-authority(-data), insecure-skip-tls-verify,
 * token, tokenFile, client-certificate(-data), client-key(-data) and exec
 * credential plugins. Relative file paths are relative to the kubeconfig's
 * folder, as kubectl does. A user that needs what podnet does not do
 * (auth-provider, basic auth, impersonation) is an error that says so, as is
 * anything missing, naming the file.
 */
export function loadKubeconfig(path: string, context?: string): ClientConfig {
  let doc: Dict;
  try {
    doc = (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Dict;
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path}: ${(e as Error).message}`, { cause: e });
  }
  const base = dirname(resolve(path));
  const ctxName = context ?? (doc['current-context'] as string | undefined);
  if (!ctxName) throw new Error(`kubeconfig ${path} has no current-context; pass a context name`);
  const ctx = pick(doc.contexts, ctxName, 'context', path)?.context as Dict | undefined;
  if (!ctx) throw new Error(`kubeconfig ${path}: context "${ctxName}" not found`);
  const cluster = pick(doc.clusters, text(ctx.cluster ?? ''), 'cluster', path)?.cluster as Dict | undefined;
  if (!cluster || typeof cluster.server !== 'string')
    throw new Error(`kubeconfig ${path}: cluster "${text(ctx.cluster)}" of context "${ctxName}" has no server`);
  const user = (ctx.user ? pick(doc.users, text(ctx.user), 'user', path)?.user : undefined) as Dict | undefined;

  const file = (p: unknown) => readFileSync(isAbsolute(String(p)) ? String(p) : resolve(base, String(p)), 'utf8');
  const b64 = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');
  const cfg: ClientConfig = { server: cluster.server.replace(/\/+$/, '') };
  if (cluster['certificate-authority-data']) cfg.caCertPem = b64(cluster['certificate-authority-data']);
  else if (cluster['certificate-authority']) cfg.caCertPem = file(cluster['certificate-authority']);
  if (cluster['insecure-skip-tls-verify'] === true) cfg.insecureSkipTlsVerify = true;
  const servers = apiserversExtension(cluster.extensions, path);
  if (servers) cfg.servers = servers;
  if (user) {
    const unsupported = UNSUPPORTED.find(([field]) => user[field] !== undefined);
    if (unsupported)
      throw new Error(
        `kubeconfig ${path}: user "${text(ctx.user)}" uses ${unsupported[1]}, which podnet's client does not support; it authenticates with token, tokenFile, client-certificate/client-key or an exec plugin`,
      );
    if (user.exec !== undefined) cfg.exec = execConfig(user.exec, path);
    if (typeof user.token === 'string') cfg.token = user.token;
    else if (user.tokenFile) cfg.token = file(user.tokenFile).trim();
    if (user['client-certificate-data']) cfg.clientCertPem = b64(user['client-certificate-data']);
    else if (user['client-certificate']) cfg.clientCertPem = file(user['client-certificate']);
    if (user['client-key-data']) cfg.clientKeyPem = b64(user['client-key-data']);
    else if (user['client-key']) cfg.clientKeyPem = file(user['client-key']);
  }
  return cfg;
}

/** The URLs of the podnet.io/apiservers cluster extension, when present. */
function apiserversExtension(extensions: unknown, path: string): string[] | undefined {
  if (!Array.isArray(extensions)) return undefined;
  const ext = (extensions as Dict[]).find((e) => e?.name === 'podnet.io/apiservers')?.extension as Dict | undefined;
  if (!ext) return undefined;
  const servers = ext.servers;
  if (!Array.isArray(servers) || servers.some((s) => typeof s !== 'string' || !/^https?:\/\//.test(s)))
    throw new Error(`kubeconfig ${path}: the podnet.io/apiservers extension's servers must be a list of http(s) URLs`);
  return (servers as string[]).map((s) => s.replace(/\/+$/, ''));
}

const UNSUPPORTED: [string, string][] = [
  ['auth-provider', 'an auth-provider (removed from kubectl in 1.26; use its exec plugin)'],
  ['username', 'basic authentication (username/password)'],
  ['as', 'impersonation (as)'],
];

function execConfig(v: unknown, path: string): ExecConfig {
  const e = (v ?? {}) as Dict;
  if (typeof e.command !== 'string' || !e.command)
    throw new Error(`kubeconfig ${path}: the user's exec has no command`);
  if (typeof e.apiVersion !== 'string') throw new Error(`kubeconfig ${path}: the user's exec has no apiVersion`);
  const args = Array.isArray(e.args) ? e.args.map(String) : undefined;
  const env = Array.isArray(e.env)
    ? (e.env as Dict[]).map((x) => ({ name: text(x.name), value: text(x.value ?? '') }))
    : undefined;
  return {
    apiVersion: e.apiVersion,
    command: e.command,
    ...(args ? { args } : {}),
    ...(env ? { env } : {}),
    ...(typeof e.installHint === 'string' ? { installHint: e.installHint } : {}),
    ...(e.provideClusterInfo === true ? { provideClusterInfo: true } : {}),
  };
}

/** A YAML scalar as text (a name written as a number is still that name); a mapping or list as its JSON. */
function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined
    ? String(v)
    : JSON.stringify(v);
}

function pick(list: unknown, name: string, what: string, path: string): Named<unknown> | undefined {
  if (list !== undefined && !Array.isArray(list)) throw new Error(`kubeconfig ${path}: ${what}s must be a list`);
  return (list as Named<unknown>[] | undefined)?.find((x) => x?.name === name);
}

/**
 * Opening the etcd store from kube-apiserver's flags: --etcd-servers and
 * the PEM files of --etcd-cafile, --etcd-certfile, --etcd-keyfile.
 */
import { readFileSync } from 'node:fs';
import { EtcdStore } from './etcd-store.js';

export interface EtcdConnection {
  /** Client URLs; https:// ones need caFile. */
  servers: string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Parse --etcd-servers: comma-separated http(s) URLs. Throws with what is wrong. */
export function parseEtcdServers(value: string): string[] {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (servers.length === 0) throw new Error('--etcd-servers is empty: give URL[,URL...], e.g. https://127.0.0.1:2379');
  for (const s of servers) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new Error(`--etcd-servers: ${JSON.stringify(s)} is not a URL; write e.g. https://10.0.0.1:2379`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`--etcd-servers: ${s} is neither http:// nor https://`);
  }
  return servers;
}

export function etcdConnectionProblem(c: EtcdConnection): string | undefined {
  const tls = c.servers.some((s) => s.startsWith('https:'));
  if (tls && c.servers.some((s) => s.startsWith('http:')))
    return '--etcd-servers mixes http:// and https:// URLs; use one scheme for all members';
  if (tls && !c.caFile) return 'https:// etcd servers need --etcd-cafile (the CA that signed the members certificates)';
  if (!tls && (c.caFile || c.certFile || c.keyFile))
    return '--etcd-cafile/--etcd-certfile/--etcd-keyfile need https:// etcd servers';
  if (!!c.certFile !== !!c.keyFile) return '--etcd-certfile and --etcd-keyfile go together';
  return undefined;
}

export function openEtcdStore(c: EtcdConnection): EtcdStore {
  const problem = etcdConnectionProblem(c);
  if (problem) throw new Error(problem);
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`cannot read ${what} ${path}: ${(e as Error).message}`, { cause: e });
    }
  };
  return new EtcdStore({
    endpoints: c.servers,
    ...(c.caFile && {
      tls: {
        ca: read('--etcd-cafile', c.caFile),
        ...(c.certFile && { cert: read('--etcd-certfile', c.certFile) }),
        ...(c.keyFile && { key: read('--etcd-keyfile', c.keyFile) }),
      },
    }),
  });
}

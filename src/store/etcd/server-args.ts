/**
 * The command line of one etcd member (Debian's etcd-server, 3.4+), as
 * data: a cluster of members that know each other by peer URL, with TLS
 * between members and to clients when certificates are given.
 */

export interface EtcdMember {
  name: string;
  /** Address the member listens on and advertises (loopback, a namespace's or a host's IP). */
  host: string;
  clientPort: number;
  peerPort: number;
}

export interface EtcdTls {
  /** CA that signed every certificate below; clients and peers must present one it signed. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

interface EtcdMemberConfig {
  member: EtcdMember;
  /** Every member of the cluster, this one included. */
  cluster: EtcdMember[];
  dataDir: string;
  tls?: EtcdTls;
  /** "new" for a first start; "existing" when joining or restarting (ignored once the data dir exists). */
  clusterState?: 'new' | 'existing';
  /** Token that keeps two clusters started with the same members apart. */
  clusterToken?: string;
  /** Interval of the progress notifications watches ask for (etcd's default is 10 minutes). */
  progressNotifyInterval?: string;
}

const url = (tls: boolean, host: string, port: number) => `${tls ? 'https' : 'http'}://${host}:${port}`;

export const clientUrl = (m: EtcdMember, tls: boolean): string => url(tls, m.host, m.clientPort);
const peerUrl = (m: EtcdMember, tls: boolean): string => url(tls, m.host, m.peerPort);

export function etcdArgs(c: EtcdMemberConfig): string[] {
  const tls = !!c.tls;
  const args = [
    `--name=${c.member.name}`,
    `--data-dir=${c.dataDir}`,
    `--listen-client-urls=${clientUrl(c.member, tls)}`,
    `--advertise-client-urls=${clientUrl(c.member, tls)}`,
    `--listen-peer-urls=${peerUrl(c.member, tls)}`,
    `--initial-advertise-peer-urls=${peerUrl(c.member, tls)}`,
    `--initial-cluster=${c.cluster.map((m) => `${m.name}=${peerUrl(m, tls)}`).join(',')}`,
    `--initial-cluster-state=${c.clusterState ?? 'new'}`,
    `--initial-cluster-token=${c.clusterToken ?? 'podnet'}`,
    `--experimental-watch-progress-notify-interval=${c.progressNotifyInterval ?? '5s'}`,
    // Compaction is the API server's job, as with kube-apiserver.
    '--auto-compaction-retention=0',
  ];
  if (c.tls) {
    const { caFile, certFile, keyFile } = c.tls;
    args.push(
      `--trusted-ca-file=${caFile}`,
      `--cert-file=${certFile}`,
      `--key-file=${keyFile}`,
      '--client-cert-auth=true',
      `--peer-trusted-ca-file=${caFile}`,
      `--peer-cert-file=${certFile}`,
      `--peer-key-file=${keyFile}`,
      '--peer-client-cert-auth=true',
    );
  }
  return args;
}

/**
 * `up --store etcd`: the local etcd cluster, one member per control-plane
 * namespace, TLS between members and to clients. etcd has a CA of its own
 * (DIR/pki/etcd, as kubeadm keeps one): the cluster CA also signs node
 * certificates, and a node must never be able to talk to etcd.
 */
import { readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';
import { ensureCa, ensureLeafCert } from '../apiserver/state/pki.js';
import { clientUrl } from '../store/etcd/server-args.js';
import { etcdMembers, etcdProcess, type EtcdClientFiles } from './commands.js';
import type { ClusterLayout } from './layout.js';
import { indent, tailFile } from './log-tail.js';
import { etcdPkiDir } from './paths.js';
import type { DesiredProcess } from './process-table.js';
import type { Watched } from './wait-ready.js';

/** The API servers' client certificate for etcd, from etcd's CA; created once. */
export function ensureEtcdClientFiles(layout: ClusterLayout): EtcdClientFiles {
  const dir = etcdPkiDir(layout.stateDir);
  const caFile = ensureCa(dir, 'podnet-etcd-ca');
  return {
    caFile,
    ...ensureLeafCert(dir, 'apiserver-etcd-client', { commonName: 'kube-apiserver-etcd-client', usage: 'client' }),
  };
}

/** Each member's process, with its certificate (serving and peer: both EKUs) minted first. */
export function etcdProcesses(layout: ClusterLayout): DesiredProcess[] {
  const dir = etcdPkiDir(layout.stateDir);
  const caFile = ensureCa(dir, 'podnet-etcd-ca');
  return (layout.controlPlanes ?? []).map((cp) => {
    const { certFile, keyFile } = ensureLeafCert(dir, `member-${cp.name}`, {
      commonName: cp.name,
      usage: 'peer',
      ips: [cp.ip, '127.0.0.1'],
      dnsNames: [cp.name, 'localhost'],
    });
    return etcdProcess(layout, cp, { caFile, certFile, keyFile });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Until a quorum answers a linearizable read through the API servers'
 * certificate; fails early, with its log, when a member exits.
 */
export async function waitEtcdReady(
  layout: ClusterLayout,
  files: EtcdClientFiles,
  members: Watched[],
  timeoutMs: number,
): Promise<void> {
  const client = new Etcd3({
    hosts: etcdMembers(layout).map((m) => clientUrl(m, true)),
    credentials: {
      rootCertificate: readFileSync(files.caFile),
      certChain: readFileSync(files.certFile),
      privateKey: readFileSync(files.keyFile),
    },
    dialTimeout: 2000,
  });
  const deadline = Date.now() + timeoutMs;
  let last: string;
  try {
    for (;;) {
      try {
        await client.kv.range({ key: Buffer.from('/registry/') }, { deadline: Date.now() + 2000 });
        return;
      } catch (e) {
        last = (e as Error).message;
      }
      const dead = members.find((m) => !m.alive());
      if (dead)
        throw new Error(
          `etcd member ${dead.name} exited while starting. Last lines of ${dead.log}:\n${indent(tailFile(dead.log))}\nFix the cause, then run "podnet up" again.`,
        );
      if (Date.now() > deadline)
        throw new Error(
          `etcd had no quorum within ${timeoutMs / 1000} s (${last}); see ${members.map((m) => m.log).join(', ')}`,
        );
      await sleep(250);
    }
  } finally {
    client.close();
  }
}

/**
 * The two DNS servers under test, each its own process pinned to the same
 * CPUs: `bin/podnet dns` reading the API server, and Debian's dnsmasq
 * serving the same names from a hosts file. dnsmasq runs in the
 * foreground with no config file, no pid file, no upstreams, only on its
 * own loopback address — nothing of the host's DNS is read or changed.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, waitUntil, type Child } from '../common/child.js';
import { DnsProbe } from './dns-probe.js';

export interface DnsServer {
  kind: 'podnet' | 'dnsmasq';
  host: string;
  port: number;
  child: Child;
}

const BIN = fileURLToPath(new URL('../../../bin/podnet', import.meta.url));
/** Loopback addresses of their own, so neither server can collide with a resolver on 127.0.0.1/127.0.0.53. */
const PODNET_HOST = '127.0.0.61';
const DNSMASQ_HOST = '127.0.0.62';

interface PodnetDnsSpec {
  url: string;
  token: string;
  caPem: string;
  tmp: string;
  cpus: string;
  nodeArgs: string[];
  verbose: boolean;
  /** A name and the address it must answer once the informers have synced everything. */
  readyName: string;
  readyIp: string;
}

export async function startPodnetDns(s: PodnetDnsSpec): Promise<DnsServer> {
  const caFile = join(s.tmp, 'ca.crt');
  writeFileSync(caFile, s.caPem);
  const child = startChild(
    [
      process.execPath,
      ...s.nodeArgs,
      BIN,
      'dns',
      '--server',
      s.url,
      '--token',
      s.token,
      '--certificate-authority',
      caFile,
      '--listen',
      `${PODNET_HOST}:0`,
      '--http-listen',
      '127.0.0.1:0',
      '--upstream',
      '127.0.0.1:9',
    ],
    s.cpus,
    'podnet dns',
    s.verbose,
  );
  try {
    let port = 0;
    await waitUntil(child, 'podnet dns to listen', 30_000, () => {
      const m = new RegExp(`on ${PODNET_HOST.replace(/\./g, '\\.')}:(\\d+)`).exec(child.output());
      port = m ? Number(m[1]) : 0;
      return port > 0;
    });
    await waitAnswers(child, PODNET_HOST, port, s.readyName, s.readyIp, 'podnet dns to serve every Service', 300_000);
    return { kind: 'podnet', host: PODNET_HOST, port, child };
  } catch (e) {
    await child.stop();
    throw e;
  }
}

interface DnsmasqSpec {
  hosts: string;
  tmp: string;
  cpus: string;
  verbose: boolean;
  readyName: string;
  readyIp: string;
}

export async function startDnsmasq(s: DnsmasqSpec): Promise<DnsServer> {
  const hostsFile = join(s.tmp, 'dnsmasq.hosts');
  writeFileSync(hostsFile, s.hosts);
  chmodSync(s.tmp, 0o755); // dnsmasq drops root for its own user; it must still read the file
  chmodSync(hostsFile, 0o644);
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    const child = startChild(
      [
        'dnsmasq',
        '--no-daemon',
        '--conf-file=/dev/null',
        '--pid-file=',
        `--port=${port}`,
        `--listen-address=${DNSMASQ_HOST}`,
        '--bind-interfaces',
        '--no-resolv',
        '--no-hosts',
        `--addn-hosts=${hostsFile}`,
        '--local-ttl=5',
        '--log-facility=-',
      ],
      s.cpus,
      'dnsmasq',
      s.verbose,
    );
    try {
      await waitAnswers(child, DNSMASQ_HOST, port, s.readyName, s.readyIp, 'dnsmasq to serve its hosts file', 60_000);
      return { kind: 'dnsmasq', host: DNSMASQ_HOST, port, child };
    } catch (e) {
      await child.stop();
      if (attempt < 5 && /Address already in use/.test(child.output())) continue;
      throw e;
    }
  }
}

async function waitAnswers(
  child: Child,
  host: string,
  port: number,
  name: string,
  ip: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const probe = new DnsProbe(host, port);
  try {
    await waitUntil(
      child,
      what,
      timeoutMs,
      async () => (await probe.query(name, 200))?.addresses.includes(ip) ?? false,
    );
  } finally {
    probe.close();
  }
}

/**
 * What `podnet doctor` checks and how it reports: the binaries podnet runs,
 * the Debian package that brings each, and the table it prints. Pure.
 */

export interface BinaryRequirement {
  /** Shown in the table. */
  name: string;
  /** Absolute paths to look at, or a bare name looked up in PATH and the sbin directories. */
  candidates: string[];
  /** The fix. */
  install: string;
  /** Without it no cluster runs; otherwise only some examples/images need it. */
  required: boolean;
  why: string;
}

const apt = (pkg: string) => `apt-get install -y ${pkg}`;
const cni = (plugin: string): BinaryRequirement => ({
  name: `cni/${plugin}`,
  candidates: [`/usr/lib/cni/${plugin}`, `/opt/cni/bin/${plugin}`],
  install: apt('containernetworking-plugins'),
  required: true,
  why: 'pod networking (CNI plugin)',
});

export const BINARIES: readonly BinaryRequirement[] = [
  { name: 'ip', candidates: ['ip'], install: apt('iproute2'), required: true, why: 'links, addresses, routes, netns' },
  {
    name: 'nsenter',
    candidates: ['nsenter'],
    install: apt('util-linux'),
    required: true,
    why: 'runs agents and node-exec inside node netns',
  },
  { name: 'unshare', candidates: ['unshare'], install: apt('util-linux'), required: true, why: 'pod namespaces' },
  { name: 'setsid', candidates: ['setsid'], install: apt('util-linux'), required: true, why: 'detached pod processes' },
  {
    name: 'umount',
    candidates: ['umount'],
    install: apt('mount'),
    required: true,
    why: 'down unmounts pod namespaces',
  },
  {
    name: 'nft',
    candidates: ['nft'],
    install: apt('nftables'),
    required: true,
    why: 'service proxy and network policy rules',
  },
  {
    name: 'iptables',
    candidates: ['iptables'],
    install: apt('iptables'),
    required: true,
    why: 'portmap CNI plugin, iptables proxy mode',
  },
  {
    name: 'iptables-restore',
    candidates: ['iptables-restore'],
    install: apt('iptables'),
    required: true,
    why: 'iptables proxy mode',
  },
  {
    name: 'conntrack',
    candidates: ['conntrack'],
    install: apt('conntrack'),
    required: true,
    why: 'flushes stale UDP service entries',
  },
  {
    name: 'socat',
    candidates: ['socat'],
    install: apt('socat'),
    required: true,
    why: 'port-forward relays into pod network namespaces',
  },
  {
    name: 'runc',
    candidates: ['runc'],
    install: apt('runc'),
    required: true,
    why: 'runs containers (without it: podnet up --runtime process, no isolation)',
  },
  cni('bridge'),
  cni('host-local'),
  cni('loopback'),
  cni('portmap'),
  {
    name: 'kubectl',
    candidates: ['kubectl'],
    install: 'install kubectl: https://kubernetes.io/docs/tasks/tools/ (or apt from pkgs.k8s.io)',
    required: false,
    why: 'talking to the cluster',
  },
  { name: 'nginx', candidates: ['nginx'], install: apt('nginx-light'), required: false, why: 'the nginx image' },
  {
    name: 'tomcat10',
    candidates: ['/usr/share/tomcat10/bin/catalina.sh'],
    install: apt('tomcat10'),
    required: false,
    why: 'the tomcat image',
  },
];

export interface CheckResult {
  name: string;
  ok: boolean;
  required: boolean;
  /** Where it was found, or what went wrong. */
  detail: string;
  /** How to fix it when not ok. */
  fix?: string;
}

export function renderTable(results: readonly CheckResult[]): string {
  const status = (r: CheckResult) => (r.ok ? 'ok' : r.required ? 'MISSING' : 'missing (optional)');
  const w1 = Math.max(5, ...results.map((r) => r.name.length));
  const w2 = Math.max(6, ...results.map((r) => status(r).length));
  const lines = [`${'CHECK'.padEnd(w1)}  ${'STATUS'.padEnd(w2)}  DETAIL`];
  for (const r of results) {
    lines.push(`${r.name.padEnd(w1)}  ${status(r).padEnd(w2)}  ${r.detail}`);
    if (!r.ok && r.fix) lines.push(`${''.padEnd(w1)}  ${''.padEnd(w2)}  fix: ${r.fix}`);
  }
  return lines.join('\n') + '\n';
}

/** The apt packages that fix every missing check, in one command (undefined when nothing apt can fix is missing). */
export function aptFix(results: readonly CheckResult[]): string | undefined {
  const pkgs = [
    ...new Set(
      results
        .filter((r) => !r.ok && r.fix?.startsWith('apt-get install -y '))
        .map((r) => r.fix!.slice('apt-get install -y '.length)),
    ),
  ];
  return pkgs.length ? `apt-get install -y ${pkgs.join(' ')}` : undefined;
}

/** What the native module offers: which of it loaded, and the switches that turn a part off. */
interface NativeFacts {
  loaded: boolean;
  netfilterBatch: boolean;
  env: Record<string, string | undefined>;
}

const TOOLCHAIN_FIX = 'apt-get install -y build-essential python3';
const REBUILD = 'with a C toolchain, "npm run install" in podnet\'s folder builds it';

/**
 * Which paths run native code and which run on their portable fallback
 * (src/native: optional, built at npm install when a C compiler is there).
 * Never required: podnet works on the fallbacks, only slower.
 */
export function nativeChecks(n: NativeFacts): CheckResult[] {
  const notBuilt = `native module not built (no C compiler at npm install?); ${REBUILD}`;
  const check = (name: string, ok: boolean, native: string, fallback: string, why: string): CheckResult => ({
    name,
    ok,
    required: false,
    detail: ok ? `native: ${native}` : `fallback: ${fallback} (${why})`,
    ...(ok || !why.startsWith('native module') ? {} : { fix: TOOLCHAIN_FIX }),
  });
  const dgram = n.env['PODNET_DNS_UDP'] === 'dgram';
  const nftOff = n.env['PODNET_NFT_NETLINK'] === 'off';
  return [
    check(
      'native/dns-udp',
      n.loaded && !dgram,
      'cluster DNS reads and answers UDP in recvmmsg/sendmmsg batches',
      "cluster DNS on Node's dgram socket (about 0.75x the QPS)",
      n.loaded ? 'PODNET_DNS_UDP=dgram' : notBuilt,
    ),
    check(
      'native/nft-netlink',
      n.netfilterBatch && !nftOff,
      "the proxy's full sync sends set elements as one nfnetlink batch",
      'the full sync sends everything through nft -f (slower at thousands of Services)',
      !n.loaded ? notBuilt : nftOff ? 'PODNET_NFT_NETLINK=off' : 'the module has no netfilter batch',
    ),
    check(
      'native/malloc-trim',
      n.loaded,
      'cluster DNS returns freed C heap to the kernel after a sync (glibc malloc_trim)',
      'freed C heap stays resident after a large sync',
      notBuilt,
    ),
  ];
}

/** 1 when a required check failed, else 0. */
export const doctorExitCode = (results: readonly CheckResult[]): number =>
  results.some((r) => r.required && !r.ok) ? 1 : 0;

/**
 * Every podnet command as data (src/cli/spec.ts): flags, defaults, help.
 * Kept apart from the commands' code so `podnet help`, `--help` and the
 * completions load none of it.
 */
import { DEFAULT_CLUSTER_CONFIG as D, formatPortRange } from '../api/cluster-config.js';
import { DEFAULT_MAX_HEAP_MIB, type SupervisedComponent } from '../cluster/heap-limits.js';
import { LOG_FORMATS, LOG_LEVELS } from '../log/log.js';
import type { CommandSpec, FlagSpec } from './spec.js';

const state = {
  type: 'string',
  value: 'DIR',
  complete: 'dir',
  defaultText: '$PODNET_STATE, else ~/.podnet',
  help: "the cluster's state directory",
} as const satisfies FlagSpec;

/** How a component reaches the API server (node, dns). */
const connection = {
  kubeconfig: { type: 'string', value: 'FILE', complete: 'file', help: 'connect as this kubeconfig says' },
  server: { type: 'string', value: 'URL', help: "the API server's URL (with --token)" },
  token: { type: 'string', value: 'T', help: 'bearer token' },
  'certificate-authority': {
    type: 'string',
    value: 'FILE',
    complete: 'file',
    help: "the CA that signed the API server's certificate",
  },
  'insecure-skip-tls-verify': {
    type: 'boolean',
    default: false,
    help: "do not check the API server's certificate (tests only)",
  },
} as const satisfies Record<string, FlagSpec>;

/** The one logger's flags (src/log), on every long-running component and on up, which passes them on. */
const logging = {
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    default: 'info',
    choices: LOG_LEVELS,
    help: 'the least severe messages logged',
  },
  verbose: { type: 'boolean', short: 'v', default: false, help: 'log debug messages too: --log-level debug' },
  'log-format': {
    type: 'string',
    value: 'FORMAT',
    default: 'text',
    choices: LOG_FORMATS,
    help: 'timestamped text lines, or one JSON object per line',
  },
} as const satisfies Record<string, FlagSpec>;

/** `--supervise` and `--max-heap` of a long-running component (src/cli/supervision.ts). */
const supervision = (component: SupervisedComponent) =>
  ({
    supervise: {
      type: 'boolean',
      default: false,
      help: `run the ${component} as a child with a bounded heap (--max-heap) and start it again when it dies (podnet up does)`,
    },
    'max-heap': {
      type: 'string',
      value: 'MIB',
      defaultText: String(DEFAULT_MAX_HEAP_MIB[component]),
      help: `with --supervise: the ${component}'s V8 heap limit (node --max-old-space-size)`,
    },
  }) as const satisfies Record<string, FlagSpec>;

const firstStart = (value: string) => `the cluster's; at its first start ${value}`;

/** The cluster's shape, fixed at the first start (src/api/cluster-config.ts). */
const shape = {
  'cluster-cidr': {
    type: 'string',
    value: 'CIDR',
    defaultText: firstStart(D.clusterCidr),
    help: 'pod addresses of the whole cluster',
  },
  'node-cidr-mask-size': {
    type: 'string',
    value: 'N',
    defaultText: firstStart(String(D.nodeCidrMaskSize)),
    help: "prefix length of each node's pod subnet",
  },
  'service-cidr': {
    type: 'string',
    value: 'CIDR',
    defaultText: firstStart(D.serviceCidr),
    help: 'ClusterIP addresses; its first goes to the kubernetes Service',
  },
  'cluster-dns': {
    type: 'string',
    value: 'IP',
    defaultText: firstStart(`the 10th address of the service CIDR (${D.clusterDnsIp})`),
    help: "kube-dns's ClusterIP, the nameserver pods get",
  },
  'cluster-domain': {
    type: 'string',
    value: 'D',
    defaultText: firstStart(D.clusterDomain),
    help: 'DNS domain of Services and pods',
  },
  'service-node-port-range': {
    type: 'string',
    value: 'FIRST-LAST',
    defaultText: firstStart(formatPortRange(D.nodePortRange)),
    help: 'NodePort range',
  },
} as const satisfies Record<string, FlagSpec>;

/** kube-apiserver's etcd flags: the state in etcd instead of DIR/db (src/store/etcd). */
const etcdFlags = {
  'etcd-servers': {
    type: 'string',
    value: 'URL[,URL...]',
    defaultText: 'none: the state is in DIR/db (SQLite)',
    help: "keep the state in these etcd members' cluster; API servers sharing one etcd share DIR's pki and tokens",
  },
  'etcd-cafile': { type: 'string', value: 'FILE', complete: 'file', help: "the CA of the etcd members' certificates" },
  'etcd-certfile': { type: 'string', value: 'FILE', complete: 'file', help: 'client certificate for etcd' },
  'etcd-keyfile': { type: 'string', value: 'FILE', complete: 'file', help: 'key of --etcd-certfile' },
} as const satisfies Record<string, FlagSpec>;

const SHAPE_NOTE = `The cluster's shape (--cluster-cidr ... --service-node-port-range) is set at
its first start and kept in ConfigMap kube-system/podnet-config; later starts
keep it and refuse flags that contradict it.`;

export const apiserver = {
  name: 'apiserver',
  summary: 'Run the Kubernetes-compatible API server with its controllers.',
  usage: '[flags]',
  description: `HTTPS with bearer tokens; a CA and serving certificate on the first start
(DIR/pki), the admin and node tokens (DIR/tokens.json), DIR/kubeconfig for
kubectl, the store in DIR/db. Runs until SIGINT or SIGTERM.

${SHAPE_NOTE}`,
  flags: {
    state,
    listen: { type: 'string', value: 'ADDR:PORT', default: '127.0.0.1:6443', help: 'where to serve the API' },
    'advertise-address': {
      type: 'string',
      value: 'IP',
      defaultText: 'the --listen address (127.0.0.1 for 0.0.0.0)',
      help: 'the address other hosts reach this server on (in the certificate and the kubernetes Endpoints)',
    },
    'insecure-http': { type: 'boolean', default: false, help: 'plain HTTP without authentication (tests only)' },
    ...supervision('apiserver'),
    'cluster-name': {
      type: 'string',
      value: 'NAME',
      help: "names DIR/kubeconfig's context, cluster and user podnet-NAME (without it: podnet)",
    },
    'node-grace-period': {
      type: 'string',
      value: 'SECONDS',
      defaultText: '40',
      help: 'without a Lease renewal for this long a node goes NotReady',
    },
    'service-external-ip-cidrs': {
      type: 'string',
      value: 'CIDR[,CIDR...]',
      defaultText: 'none: every new externalIP is refused',
      help: "ranges a Service's spec.externalIPs may come from (never an API server's or node's address)",
    },
    ...etcdFlags,
    ...shape,
    ...logging,
  },
} as const satisfies CommandSpec;

export const kubectl = {
  name: 'kubectl',
  summary: "Run this machine's kubectl against a podnet cluster.",
  usage: '[--state DIR] ARGS...',
  description: `Runs kubectl (or $KUBECTL) with KUBECONFIG set to DIR/kubeconfig. --state
must come first; everything else goes to kubectl ("podnet kubectl help" is
kubectl's own help).`,
  flags: { state },
} as const satisfies CommandSpec;

export const node = {
  name: 'node',
  summary: 'Run the node agent: kubelet, CNI runtime, overlay and service proxy.',
  usage: '--server URL --token T [flags] | --kubeconfig FILE [flags]',
  description: `Registers the Node, runs the pods bound to it as network namespaces and
processes wired by the CNI plugins, the overlay to the other nodes and the
service proxy. "podnet up" runs one per node; on another host, join with a
token from "podnet node-token". Pods keep running when the agent stops.
The cluster's shape comes from ConfigMap kube-system/podnet-config.`,
  flags: {
    ...connection,
    name: { type: 'string', value: 'NAME', defaultText: "this host's name", help: 'the Node name' },
    'node-ip': {
      type: 'string',
      value: 'IP',
      defaultText: 'the source address towards the API server',
      help: "this node's address (InternalIP, overlay endpoint)",
    },
    state: {
      type: 'string',
      value: 'DIR',
      complete: 'dir',
      defaultText: '/var/lib/podnet/nodes/NAME',
      help: "the node's state: pods, logs, CNI data",
    },
    backend: { type: 'string', value: 'B', default: 'vxlan', choices: ['vxlan', 'host-gw'], help: 'overlay backend' },
    'proxy-mode': {
      type: 'string',
      value: 'M',
      default: 'nftables',
      choices: ['nftables', 'iptables'],
      help: 'service proxy mode',
    },
    'cluster-dns': {
      type: 'string',
      value: 'IP',
      defaultText: "the cluster's",
      help: "nameserver for pods; must be the cluster's",
    },
    'cluster-domain': {
      type: 'string',
      value: 'D',
      defaultText: "the cluster's",
      help: "pods' search domain; must be the cluster's",
    },
    'max-pods': { type: 'string', value: 'N', default: '110', help: 'pods this node takes' },
    runtime: {
      type: 'string',
      value: 'R',
      default: 'runc',
      choices: ['runc', 'process'],
      help: 'what runs containers: runc (isolated, hardened) or process (bare processes)',
    },
    images: {
      type: 'string',
      value: 'FILE',
      complete: 'file',
      defaultText: 'STATE/images.yaml',
      help: 'your own image table (src/images/README.md)',
    },
    'tls-cert-file': {
      type: 'string',
      value: 'FILE',
      complete: 'file',
      help: 'serve exec, attach, logs and port-forward on :10250 with this certificate (podnet node-cert makes one)',
    },
    'tls-private-key-file': { type: 'string', value: 'FILE', complete: 'file', help: "that certificate's key" },
    'client-ca-file': {
      type: 'string',
      value: 'FILE',
      complete: 'file',
      defaultText: '--certificate-authority',
      help: "the CA the API server's client certificate must chain to",
    },
    ...supervision('node'),
    ...logging,
  },
} as const satisfies CommandSpec;

export const nodeToken = {
  name: 'node-token',
  summary: 'Print the bearer token a node joins with (minted on first use).',
  usage: 'NODE [--state DIR]',
  description: `For "podnet node --token" on another host; the API server's --state DIR
holds the tokens.`,
  flags: { state },
  args: { min: 1, max: 1, name: 'NODE' },
} as const satisfies CommandSpec;

export const nodeCert = {
  name: 'node-cert',
  summary: "Write a node's streaming certificate and key, signed by the cluster CA.",
  usage: 'NODE --ip IP[,IP...] [--state DIR] [--out DIR]',
  description: `node.crt and node.key for "podnet node --tls-cert-file" on another host: the
API server reaches the node's exec, attach, logs and port-forward endpoint
with them. "podnet up" makes them for its own nodes.`,
  flags: {
    state,
    ip: { type: 'string', value: 'IP[,IP...]', help: "the node's addresses (in the certificate)" },
    out: { type: 'string', value: 'DIR', complete: 'dir', default: '.', help: 'where to write node.crt and node.key' },
  },
  args: { min: 1, max: 1, name: 'NODE' },
} as const satisfies CommandSpec;

export const userKubeconfig = {
  name: 'user-kubeconfig',
  summary: 'Mint a kubeconfig for a user: a client certificate signed by the cluster CA.',
  usage: 'USER [--group G[,G...]] [--days N] [--state DIR] [--out FILE]',
  description: `The API server takes the certificate's CN as the user name and each O as a
group, as kube-apiserver does. The user may do nothing until RBAC says so:
"kubectl create rolebinding NAME --clusterrole=view --user=USER" (or
--group=G). A certificate cannot be revoked before it expires: keep --days
short for people who may leave. The kubeconfig's cluster is the one in
DIR/kubeconfig; its user and context are USER@CLUSTER.`,
  flags: {
    state,
    group: { type: 'string', value: 'G[,G...]', help: "the user's groups (the certificate's O values)" },
    days: { type: 'string', value: 'N', default: '365', help: 'days the certificate is valid' },
    out: {
      type: 'string',
      value: 'FILE',
      complete: 'file',
      defaultText: 'standard output',
      help: 'write the kubeconfig here (mode 0600)',
    },
  },
  args: { min: 1, max: 1, name: 'USER' },
} as const satisfies CommandSpec;

export const up = {
  name: 'up',
  summary: 'Start a cluster on this machine (root) and wait until every node is Ready.',
  usage: '[flags]',
  description: `A host bridge on a free 10.250.X.0/24, the API server on its .1, and each
node a network namespace running "podnet node"; then cluster DNS (two
"podnet dns" replicas behind kube-dns). Nodes are node1..N, or
CLUSTER-node1..N with --name. Rerun to restart what died or add nodes; it
never removes any. DIR/kubeconfig's context, cluster and user are named
podnet-CLUSTER (podnet without --name); --merge-kubeconfig copies them into
your kubeconfig, as kind does.

${SHAPE_NOTE}`,
  flags: {
    nodes: { type: 'string', value: 'N', defaultText: '2, or as many as the cluster has', help: 'number of nodes' },
    state,
    name: { type: 'string', value: 'CLUSTER', help: 'cluster name, for several clusters on one machine' },
    backend: {
      type: 'string',
      value: 'B',
      choices: ['vxlan', 'host-gw'],
      defaultText: "vxlan, or the cluster's",
      help: 'overlay backend',
    },
    'proxy-mode': {
      type: 'string',
      value: 'M',
      choices: ['nftables', 'iptables'],
      defaultText: "nftables, or the cluster's",
      help: 'service proxy mode of every node',
    },
    runtime: {
      type: 'string',
      value: 'R',
      choices: ['runc', 'process'],
      defaultText: "$PODNET_RUNTIME, or the cluster's, or runc",
      help: 'what runs containers on every node: runc (isolated, hardened) or process (bare processes)',
    },
    store: {
      type: 'string',
      value: 'S',
      choices: ['sqlite', 'etcd'],
      defaultText: "sqlite, or the cluster's",
      help: 'where the state lives: SQLite in DIR, or a local etcd cluster (3 members in control-plane namespaces, TLS)',
    },
    apiservers: {
      type: 'string',
      value: 'N',
      defaultText: "1, or the cluster's",
      help: 'API servers on the bridge address, one port each (more than one needs --store etcd)',
    },
    'dns-upstream': {
      type: 'string',
      value: 'IP[:PORT],...',
      defaultText: "the nodes' /etc/resolv.conf",
      help: 'where cluster DNS forwards other names ("host:PORT" = this machine on the cluster bridge)',
    },
    timeout: { type: 'string', value: 'SECONDS', default: '180', help: 'how long to wait for Ready' },
    'merge-kubeconfig': {
      type: 'boolean',
      default: false,
      help: 'also put the context podnet-CLUSTER into $KUBECONFIG (its first file) or ~/.kube/config and make it current; reruns keep it there, "podnet down" takes it out',
    },
    ...shape,
    'log-level': {
      ...logging['log-level'],
      default: undefined,
      defaultText: "info, or the cluster's",
      help: "the API server's, agents' and DNS servers' log level",
    },
    verbose: { ...logging.verbose, help: 'their debug messages too: --log-level debug' },
    'log-format': {
      ...logging['log-format'],
      default: undefined,
      defaultText: "text, or the cluster's",
      help: 'their log format (logs in DIR/logs)',
    },
  },
} as const satisfies CommandSpec;

export const dns = {
  name: 'dns',
  summary: 'Serve cluster DNS: the Kubernetes DNS spec, business names, forwarding.',
  usage: '--kubeconfig FILE [flags] | --server URL [--token T] [flags]',
  description: `The Kubernetes DNS spec 1.1.0 records, business names from the
podnet.io/dns-names Service annotation, everything else forwarded upstream,
over UDP and TCP. /healthz, /readyz and /metrics on --http-listen. The zone
is the cluster's domain (ConfigMap kube-system/podnet-config).`,
  flags: {
    ...connection,
    listen: { type: 'string', value: 'ADDR:PORT', default: '0.0.0.0:53', help: 'DNS over UDP and TCP' },
    'http-listen': {
      type: 'string',
      value: 'ADDR:PORT',
      default: '0.0.0.0:9153',
      help: '/healthz, /readyz, /metrics',
    },
    upstream: {
      type: 'string',
      value: 'IP[:PORT],...',
      defaultText: 'the nameservers in /etc/resolv.conf',
      help: 'where other names go',
    },
    'cluster-domain': {
      type: 'string',
      value: 'D',
      defaultText: "the cluster's",
      help: "the zone; must be the cluster's",
    },
    'pod-records': {
      type: 'string',
      value: 'MODE',
      default: 'insecure',
      choices: ['disabled', 'insecure', 'verified'],
      help: 'a-b-c-d.NS.pod records',
    },
    ttl: { type: 'string', value: 'SECONDS', default: '5', help: 'TTL of cluster records (0-3600)' },
    ...logging,
  },
} as const satisfies CommandSpec;

const duration = (what: string, d: string) =>
  ({ type: 'string', value: 'D', default: d, help: `${what} (500ms, 5s, 2m, 1h)` }) as const;

export const router = {
  name: 'router',
  summary: 'Serve apps on domains, gorouter style, with HAProxy as the engine.',
  usage: '--kubeconfig FILE [flags] | --server URL --token T [flags]; podnet router config [--run-dir DIR]',
  description: `Routes from Ingresses of class podnet (the default class) and from the
podnet.io/routes Service annotation, straight to the ready pods, through
HAProxy (Debian's haproxy): endpoint and route changes through its Runtime
API, a seamless reload only for a new backend or new certificates. TLS by
SNI from the Ingresses' Secrets. HAProxy keeps serving when the router
stops; the next router adopts it. HAProxy writes the access log, JSON lines, to stdout.
"podnet router config [--run-dir DIR]" prints the config and route maps
HAProxy runs with. "podnet up" runs one router per node. See
src/router/README.md.`,
  flags: {
    ...connection,
    'run-dir': {
      type: 'string',
      value: 'DIR',
      complete: 'dir',
      default: '/run/podnet-router',
      help: "HAProxy's config, maps, certificates and sockets",
    },
    'external-haproxy': {
      type: 'boolean',
      default: false,
      help: 'HAProxy is started beside the router (its own container) on the run dir: wait for it, never start or stop it',
    },
    http: { type: 'string', value: 'ADDR:PORT,...|off', default: '0.0.0.0:80', help: 'plain HTTP listeners' },
    https: { type: 'string', value: 'ADDR:PORT,...|off', default: '0.0.0.0:443', help: 'HTTPS listeners' },
    'stats-listen': {
      type: 'string',
      value: 'ADDR:PORT|off',
      default: '127.0.0.1:8404',
      help: "HAProxy's own /metrics (Prometheus) and /healthz",
    },
    'http-listen': {
      type: 'string',
      value: 'ADDR:PORT',
      default: '0.0.0.0:10254',
      help: "the router's /healthz, /readyz, /metrics",
    },
    'access-log': {
      type: 'string',
      value: 'stdout|ADDR:PORT|off',
      default: 'stdout',
      help: "where HAProxy writes the access log (JSON lines): its own stdout (the router's, or with --external-haproxy its container's log), or a syslog server over UDP",
    },
    threads: { type: 'string', value: 'N', defaultText: 'the number of CPUs', help: "HAProxy's threads" },
    'connect-timeout': duration('time to connect to a pod', '5s'),
    'response-timeout': duration('time for the app to answer', '60s'),
    'header-timeout': duration("time for a client's request headers (slowloris)", '10s'),
    'client-timeout': duration('time a client may stay silent mid-request', '60s'),
    'keepalive-timeout': duration('idle time of a client keep-alive connection', '60s'),
    'tunnel-timeout': duration('idle time of a WebSocket', '1h'),
    ...logging,
  },
  args: { min: 0, max: 1, name: 'config' },
} as const satisfies CommandSpec;

export const consoleCommand = {
  name: 'console',
  summary: 'Serve the web console: live views, a network picture, terminals and logs.',
  usage: '--server URL [flags] | --kubeconfig FILE [flags]',
  description: `A web page where a user logs in with a bearer token the API server accepts
and sees, live from watches, nodes, pods, Services with their endpoints,
Ingress routes and Events; a picture of the cluster network; a terminal
into any container (xterm.js) and its log. Every read and every terminal
goes to the API server with the user's token, so the user sees and does
what that token may; the console holds no credential of its own (from
--kubeconfig it takes only the server and its CA). "podnet up" runs one
and prints its address. See src/console/README.md.`,
  flags: {
    kubeconfig: {
      type: 'string',
      value: 'FILE',
      complete: 'file',
      help: "the API server's address and CA from this kubeconfig (never its credentials)",
    },
    server: {
      type: 'string',
      value: 'URL[,URL...]',
      help: "the API server's URL; more (comma-separated) for the console to fail over to",
    },
    'certificate-authority': connection['certificate-authority'],
    'insecure-skip-tls-verify': connection['insecure-skip-tls-verify'],
    listen: {
      type: 'string',
      value: 'ADDR:PORT',
      default: '127.0.0.1:7070',
      help: 'where to serve the console (HTTP)',
    },
    ...supervision('console'),
    ...logging,
  },
} as const satisfies CommandSpec;

export const down = {
  name: 'down',
  summary: 'Stop a cluster and remove its processes, namespaces, links and mounts (root).',
  usage: '[--state DIR] [--purge]',
  description: `Finds every process of the cluster (pods included) by pid file, namespace
and state directory, stops them, and removes what "podnet up" made on the
host. The data stays for the next "podnet up" unless --purge.`,
  flags: { state, purge: { type: 'boolean', default: false, help: 'also delete DIR' } },
} as const satisfies CommandSpec;

export const nodeExec = {
  name: 'node-exec',
  summary: "Run a command (default: a shell) in a node's network namespace.",
  usage: 'NODE [--state DIR] [-- CMD ARGS...]',
  description: `"Log in to the node": only the network namespace changes, so the command
sees this machine's files. NODE is the full node name or, in a cluster
with --name, the short one (node2).`,
  flags: { state },
  args: { min: 1, max: 1, name: 'NODE' },
  passThrough: true,
} as const satisfies CommandSpec;

export const doctor = {
  name: 'doctor',
  summary: 'Check kernel features and programs podnet needs; say how to install them.',
  usage: '',
  description: `Exit status 1 when something required is missing.`,
  flags: {},
} as const satisfies CommandSpec;

export const completion = {
  name: 'completion',
  summary: 'Print the shell completion script for bash or zsh.',
  usage: 'bash|zsh',
  description: `bash:  source <(podnet completion bash)      (or save it in /etc/bash_completion.d/podnet)
zsh:   source <(podnet completion zsh)       (or save it as _podnet in a directory on $fpath)`,
  flags: {},
  args: { min: 1, max: 1, name: 'bash|zsh' },
} as const satisfies CommandSpec;

export const version = {
  name: 'version',
  summary: "Print podnet's version (also: podnet --version).",
  usage: '',
  description: 'The version of this podnet, as package.json says.',
  flags: {},
} as const satisfies CommandSpec;

/** In the order `podnet help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  up,
  down,
  kubectl,
  nodeExec,
  doctor,
  apiserver,
  node,
  nodeToken,
  nodeCert,
  userKubeconfig,
  dns,
  router,
  consoleCommand,
  completion,
  version,
];

export const findCommand = (name: string): CommandSpec | undefined => COMMANDS.find((c) => c.name === name);

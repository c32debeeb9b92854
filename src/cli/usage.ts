/** The help text of every command (kept apart so `podnet help` loads no command). */
const NODE_USAGE = `  podnet node --server URL --token T [--certificate-authority FILE] [--name N]
              [--node-ip IP] [--state DIR] [--backend vxlan|host-gw]
              [--proxy-mode nftables|iptables]
              [--cluster-dns IP] [--cluster-domain D] [--max-pods N] [--images FILE]
              [--tls-cert-file FILE --tls-private-key-file FILE [--client-ca-file FILE]]
  podnet node --kubeconfig FILE [...]
      Run the node agent: registers the Node, runs the pods bound to it
      (namespaces + processes wired by the CNI plugins), the overlay and the
      service proxy. With --tls-cert-file it serves exec, attach, logs and
      port-forward on :10250 to the API server only (its client certificate
      must chain to --client-ca-file, default --certificate-authority).
`;

const DNS_USAGE = `  podnet dns --kubeconfig FILE | --server URL --token T [--certificate-authority FILE]
             [--listen ADDR:PORT] [--http-listen ADDR:PORT] [--upstream IP[:PORT],...]
             [--cluster-domain D] [--pod-records disabled|insecure|verified] [--ttl SECONDS]
      Serve cluster DNS over UDP and TCP (default 0.0.0.0:53): the Kubernetes
      DNS spec 1.1.0 records, business names from the podnet.io/dns-names
      Service annotation, and everything else forwarded to --upstream (default:
      the nameservers in /etc/resolv.conf). /healthz, /readyz and /metrics on
      --http-listen (default 0.0.0.0:9153).
`;

const ROUTER_USAGE = `  podnet router --kubeconfig FILE | --server URL --token T [--certificate-authority FILE]
               [--run-dir DIR] [--http ADDR:PORT,...|off] [--https ADDR:PORT,...|off]
               [--stats-listen ADDR:PORT|off] [--http-listen ADDR:PORT] [--access-log ADDR:PORT|off]
               [--threads N] [--connect-timeout D] [--response-timeout D] [--header-timeout D]
               [--client-timeout D] [--keepalive-timeout D] [--tunnel-timeout D]
      Serve apps on domains, gorouter style, with HAProxy as the engine: routes from
      Ingresses of class podnet (the default class) and from the podnet.io/routes
      Service annotation, straight to the ready pods. Defaults: --http 0.0.0.0:80,
      --https 0.0.0.0:443 (certificates from the Ingresses' TLS Secrets by SNI),
      HAProxy's files and sockets in --run-dir /run/podnet-router, HAProxy's /metrics
      on --stats-listen 127.0.0.1:8404, the router's /healthz /readyz /metrics on
      --http-listen 0.0.0.0:10254, the access log (JSON lines on stdout) through
      --access-log 127.0.0.1:10514, timeouts connect 5s, response 60s, header 10s,
      client 60s, keepalive 60s, tunnel 1h. HAProxy keeps serving when the router
      stops; the next router adopts it.
  podnet router config [--run-dir DIR]
      Print the HAProxy config and route maps the router runs with.
`;

export const USAGE = `podnet: Kubernetes service networking you can run for real

Usage:
  podnet apiserver --state DIR [--listen ADDR:PORT] [--insecure-http]
                   [--service-cidr CIDR] [--cluster-cidr CIDR] [--advertise-address IP]
      Run the Kubernetes-compatible API server (HTTPS, token auth) with its
      controllers. Writes DIR/kubeconfig for kubectl.
  podnet kubectl [--state DIR] ARGS...
      Run this machine's kubectl against the cluster in DIR
      (default: $PODNET_STATE, else ~/.podnet).
${NODE_USAGE}  podnet node-token NODE [--state DIR]
      Print the bearer token node NODE joins with (minted on first use).
  podnet node-cert NODE --ip IP [--state DIR] [--out DIR]
      Write node.crt and node.key (cluster CA) for node NODE's streaming
      endpoint, for "podnet node --tls-cert-file".
  podnet up [--nodes N] [--state DIR] [--backend vxlan|host-gw] [--proxy-mode nftables|iptables]
            [--name CLUSTER] [--timeout SECONDS]
            [--dns-upstream IP[:PORT],...]
      Start a cluster on this machine (root): the API server plus N nodes,
      each a network namespace on a host bridge, and wait until all are Ready.
      Rerun to restart what died or add nodes. Nodes are node1..N, or
      CLUSTER-node1..N with --name. Cluster DNS runs as two podnet dns
      replicas behind kube-dns (10.96.0.10); --dns-upstream sets where they
      forward other names ("host:PORT" = this machine on the cluster bridge).
${DNS_USAGE}${ROUTER_USAGE}  podnet down [--state DIR] [--purge]
      Stop the cluster and remove its processes, netns, links and mounts;
      --purge also deletes DIR.
  podnet node-exec NODE [--state DIR] [-- CMD ARGS...]
      Run a command (default: a shell) in a node's network namespace.
  podnet doctor
      Check kernel features and the programs podnet needs; print how to install them.
  podnet help
`;

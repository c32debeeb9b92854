/** The help text of every command (kept apart so `podnet help` loads no command). */
const NODE_USAGE = `  podnet node --server URL --token T [--certificate-authority FILE] [--name N]
              [--node-ip IP] [--state DIR] [--backend vxlan|host-gw]
              [--proxy-mode nftables|iptables]
              [--cluster-dns IP] [--cluster-domain D] [--max-pods N] [--images FILE]
  podnet node --kubeconfig FILE [...]
      Run the node agent: registers the Node, runs the pods bound to it
      (namespaces + processes wired by the CNI plugins), the overlay and the
      service proxy.
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

export const USAGE = `podnet: Kubernetes service networking you can run for real

Usage:
  podnet apiserver --state DIR [--listen ADDR:PORT] [--insecure-http] [--advertise-address IP]
                   [--cluster-cidr CIDR] [--node-cidr-mask-size N] [--service-cidr CIDR]
                   [--cluster-dns IP] [--cluster-domain D] [--service-node-port-range A-B]
      Run the Kubernetes-compatible API server (HTTPS, token auth) with its
      controllers. Writes DIR/kubeconfig for kubectl. The cluster's shape is
      set at the first start and kept in ConfigMap kube-system/podnet-config.
  podnet kubectl [--state DIR] ARGS...
      Run this machine's kubectl against the cluster in DIR
      (default: $PODNET_STATE, else ~/.podnet).
${NODE_USAGE}  podnet node-token NODE [--state DIR]
      Print the bearer token node NODE joins with (minted on first use).
  podnet up [--nodes N] [--state DIR] [--backend vxlan|host-gw] [--proxy-mode nftables|iptables]
            [--name CLUSTER] [--timeout SECONDS]
            [--dns-upstream IP[:PORT],...] [--cluster-cidr CIDR] [--service-cidr CIDR] ...
      Start a cluster on this machine (root): the API server plus N nodes,
      each a network namespace on a host bridge, and wait until all are Ready.
      Rerun to restart what died or add nodes. Nodes are node1..N, or
      CLUSTER-node1..N with --name. Cluster DNS runs as two podnet dns
      replicas behind kube-dns (10.96.0.10 by default); --dns-upstream sets where they
      forward other names ("host:PORT" = this machine on the cluster bridge).
${DNS_USAGE}  podnet down [--state DIR] [--purge]
      Stop the cluster and remove its processes, netns, links and mounts;
      --purge also deletes DIR.
  podnet node-exec NODE [--state DIR] [-- CMD ARGS...]
      Run a command (default: a shell) in a node's network namespace.
  podnet doctor
      Check kernel features and the programs podnet needs; print how to install them.
  podnet help
`;

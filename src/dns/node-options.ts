/**
 * The Node flags podnet dns runs with; the kube-dns addon sets them as
 * NODE_OPTIONS in its pods, and bench/dns starts podnet dns the same way.
 * A young generation of 2 MiB semi-spaces instead of V8's 16: a DNS
 * server allocates little per answer and keeps its tables in the old
 * generation, so the larger nursery is ~28 MiB of resident memory bought
 * for nothing (bench/dns, docs/benchmarks.md). Node reads the flag only at
 * start-up; a process cannot set it for itself.
 */
export const DNS_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2'];

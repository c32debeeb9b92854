/** The proxy's Prometheus metrics (kube-proxy's names where it has one), rendered as text exposition. */

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count += 1;
    this.buckets.forEach((b, i) => {
      if (v <= b) this.counts[i]! += 1;
    });
  }
  get observations(): number {
    return this.count;
  }
  text(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    );
    return lines.join('\n');
  }
}

const exp = (start: number, factor: number, n: number) =>
  Array.from({ length: n }, (_, i) => Number((start * factor ** i).toPrecision(3)));

export class ProxyMetrics {
  readonly syncDuration = new Histogram(
    'kubeproxy_sync_proxy_rules_duration_seconds',
    'How long one sync of the proxy rules took.',
    exp(0.001, 2, 15),
  );
  readonly programmingLatency = new Histogram(
    'kubeproxy_network_programming_duration_seconds',
    'From a Service or EndpointSlice change to its rules being live.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
  );
  rules = 0;
  servicePorts = 0;
  syncErrors = 0;
  lastSync = 0;
  constructor(readonly mode: string) {}

  text(): string {
    const g = (name: string, help: string, v: number, type = 'gauge') =>
      `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}`;
    return (
      [
        this.syncDuration.text(),
        this.programmingLatency.text(),
        g('podnet_proxy_rules', `Rules the proxy has in the kernel (${this.mode} mode).`, this.rules),
        g('podnet_proxy_service_ports', 'Service ports the proxy programs.', this.servicePorts),
        g('podnet_proxy_sync_errors_total', 'Syncs that failed (retried).', this.syncErrors, 'counter'),
        g(
          'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
          'When the rules were last synced.',
          this.lastSync / 1000,
        ),
      ].join('\n') + '\n'
    );
  }
}

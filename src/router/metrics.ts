/** The router's own Prometheus metrics (HAProxy's exporter serves the traffic ones). */

const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count += 1;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]! += 1;
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

export type ChangeKind = 'runtime' | 'reload';

/** What the metrics read from the routing table when scraped. */
interface TableView {
  routes: { size: number };
  backends: Map<string, { servers: unknown[] }>;
  certificates(): unknown[];
}

export class RouterMetrics {
  constructor(private readonly table: TableView) {}
  readonly changes = new Map<ChangeKind, number>([
    ['runtime', 0],
    ['reload', 0],
  ]);
  syncErrors = 0;
  runtimeCommandFailures = 0;
  lastSyncSeconds = 0;
  private readonly latency = new Histogram(
    'podnet_router_change_latency_seconds',
    'Time from a change seen in the API to HAProxy serving it.',
    LATENCY_BUCKETS,
  );
  private readonly syncDuration = new Histogram(
    'podnet_router_sync_duration_seconds',
    'Time one sync takes: build the table, render, apply.',
    LATENCY_BUCKETS,
  );

  changed(kind: ChangeKind, latencySeconds: number): void {
    this.changes.set(kind, (this.changes.get(kind) ?? 0) + 1);
    this.latency.observe(latencySeconds);
  }

  synced(seconds: number): void {
    this.syncDuration.observe(seconds);
    this.lastSyncSeconds = Date.now() / 1000;
  }

  render(): string {
    const out = [
      '# HELP podnet_router_routes Routes (host, path, type) the router serves.',
      '# TYPE podnet_router_routes gauge',
      `podnet_router_routes ${this.table.routes.size}`,
      '# HELP podnet_router_backends Backends (Service port and options) the routes use.',
      '# TYPE podnet_router_backends gauge',
      `podnet_router_backends ${this.table.backends.size}`,
      '# HELP podnet_router_backend_endpoints Ready pod endpoints per backend.',
      '# TYPE podnet_router_backend_endpoints gauge',
      ...[...this.table.backends].map(
        ([b, x]) => `podnet_router_backend_endpoints{backend="${b}"} ${x.servers.length}`,
      ),
      '# HELP podnet_router_certificates TLS certificates served by SNI.',
      '# TYPE podnet_router_certificates gauge',
      `podnet_router_certificates ${this.table.certificates().length}`,
      '# HELP podnet_router_config_changes_total Changes applied to HAProxy, through the Runtime API or by reload.',
      '# TYPE podnet_router_config_changes_total counter',
      ...[...this.changes].map(([k, n]) => `podnet_router_config_changes_total{kind="${k}"} ${n}`),
      '# HELP podnet_router_sync_errors_total Syncs that failed (retried).',
      '# TYPE podnet_router_sync_errors_total counter',
      `podnet_router_sync_errors_total ${this.syncErrors}`,
      '# HELP podnet_router_runtime_command_failures_total Runtime API commands HAProxy refused (retried at the next sync).',
      '# TYPE podnet_router_runtime_command_failures_total counter',
      `podnet_router_runtime_command_failures_total ${this.runtimeCommandFailures}`,
      '# HELP podnet_router_last_sync_timestamp_seconds When the last sync succeeded.',
      '# TYPE podnet_router_last_sync_timestamp_seconds gauge',
      `podnet_router_last_sync_timestamp_seconds ${this.lastSyncSeconds}`,
      this.latency.text(),
      this.syncDuration.text(),
    ];
    return out.join('\n') + '\n';
  }
}

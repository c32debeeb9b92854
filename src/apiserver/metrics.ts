/**
 * The API server's /metrics: kube-apiserver's apiserver_request_total and
 * apiserver_request_duration_seconds (same names, labels and buckets, so
 * its dashboards work), then the process's own metrics.
 */
import { processMetricsText } from '../metrics/process.js';
import type { RequestInfo } from './request-info.js';

/** kube-apiserver's buckets for apiserver_request_duration_seconds. */
const BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

interface Series {
  labels: string;
  count: number;
}
interface Timing {
  labels: string;
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * kube's verb label: LIST, WATCH and APPLY where the request is one, GET for a
 * read of one object, otherwise the HTTP method (POST, PUT, PATCH, DELETE).
 */
function verbLabel(method: string, info: RequestInfo | undefined, contentType: string | undefined): string {
  if (info?.kind === 'resource') {
    if (info.verb === 'list') return 'LIST';
    if (info.verb === 'watch') return 'WATCH';
    if (info.verb === 'patch' && contentType?.startsWith('application/apply-patch')) return 'APPLY';
    if (info.verb === 'connect') return 'CONNECT';
  }
  return method === 'HEAD' ? 'GET' : method.toUpperCase();
}

const quote = (v: string) => JSON.stringify(v);

export class ApiserverMetrics {
  private readonly requests = new Map<string, Series>();
  private readonly durations = new Map<string, Timing>();

  /** One request, once its reply is known (a watch when its stream starts; its duration is not observed). */
  observe(
    method: string,
    info: RequestInfo | undefined,
    contentType: string | undefined,
    dryRun: boolean,
    code: number,
    seconds: number,
  ): void {
    const verb = verbLabel(method, info, contentType);
    const r = info?.kind === 'resource' ? info : undefined;
    const scope = !r ? '' : r.name !== undefined ? 'resource' : r.namespace ? 'namespace' : 'cluster';
    const base =
      `component="apiserver",dry_run=${quote(dryRun ? 'All' : '')},group=${quote(r?.ri.group ?? '')},` +
      `resource=${quote(r?.ri.resource ?? '')},scope=${quote(scope)},subresource=${quote(r?.subresource ?? '')},` +
      `verb=${quote(verb)},version=${quote(r?.ri.version ?? '')}`;
    const key = `code="${code}",${base}`;
    const s = this.requests.get(key);
    if (s) s.count++;
    else this.requests.set(key, { labels: key, count: 1 });
    if (verb === 'WATCH' || verb === 'CONNECT') return; // long-running: minutes, not a latency
    let t = this.durations.get(base);
    if (!t) this.durations.set(base, (t = { labels: base, buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    t.sum += seconds;
    t.count++;
    const i = BUCKETS.findIndex((b) => seconds <= b);
    if (i >= 0) t.buckets[i]!++;
  }

  text(): string {
    const out = [
      '# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
      '# TYPE apiserver_request_total counter',
    ];
    for (const s of this.requests.values()) out.push(`apiserver_request_total{${s.labels}} ${s.count}`);
    out.push(
      '# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
      '# TYPE apiserver_request_duration_seconds histogram',
    );
    for (const t of this.durations.values()) {
      let cum = 0;
      BUCKETS.forEach((b, i) => {
        cum += t.buckets[i]!;
        out.push(`apiserver_request_duration_seconds_bucket{${t.labels},le="${b}"} ${cum}`);
      });
      out.push(
        `apiserver_request_duration_seconds_bucket{${t.labels},le="+Inf"} ${t.count}`,
        `apiserver_request_duration_seconds_sum{${t.labels}} ${t.sum}`,
        `apiserver_request_duration_seconds_count{${t.labels}} ${t.count}`,
      );
    }
    return `${out.join('\n')}\n${processMetricsText()}`;
  }
}

/**
 * List latency: the whole collection as JSON, as a Table (what kubectl get
 * asks for), and in pages (what informers and kubectl get --chunk-size do).
 * Latency is to the last byte of the body; bodies are checked after the clock stops.
 */
import type { BenchClient } from './http-client.js';
import { summarize, type Summary } from './stats.js';

export interface ListResult {
  name: string;
  path: string;
  runs: number;
  /** Time to the last byte of the whole list (all pages for a paged list), ms. */
  latency: Summary;
  /** Time to the first response byte, ms (first page for a paged list). */
  ttfb: Summary;
  /** Items (or Table rows) in one complete result. */
  items: number;
  /** Body size of one complete result, bytes. */
  bytes: number;
  /** Pages per run (1 unless paged). */
  pages: number;
}

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

interface ListBody {
  kind?: string;
  items?: unknown[];
  rows?: unknown[];
  metadata?: { continue?: string; resourceVersion?: string };
}

export async function measureList(
  client: BenchClient,
  opts: { path: string; runs: number; table?: boolean; pageSize?: number; name: string; wantItems: number },
): Promise<ListResult> {
  const totals: number[] = [];
  const ttfbs: number[] = [];
  let items = 0,
    bytes = 0,
    pages = 0;
  for (let run = 0; run < opts.runs; run++) {
    let total = 0,
      first = -1,
      runItems = 0,
      runBytes = 0,
      runPages = 0;
    let cont: string | undefined;
    do {
      const q = new URLSearchParams();
      if (opts.pageSize) q.set('limit', String(opts.pageSize));
      if (cont) q.set('continue', cont);
      const path = q.size ? `${opts.path}?${q}` : opts.path;
      const res = await client.expect(
        { method: 'GET', path, accept: opts.table ? TABLE_ACCEPT : 'application/json' },
        200,
      );
      total += res.totalMs;
      if (first < 0) first = res.ttfbMs;
      runBytes += res.body.length;
      runPages++;
      // Parsing is only needed to follow continue tokens and to check the first run.
      if (opts.pageSize || run === 0) {
        const body = JSON.parse(res.body.toString('utf8')) as ListBody;
        if (opts.table && body.kind !== 'Table')
          throw new Error(`${path} with Accept ${TABLE_ACCEPT}: got kind ${body.kind}, want Table`);
        runItems += (opts.table ? body.rows : body.items)?.length ?? 0;
        cont = body.metadata?.continue || undefined;
      }
    } while (cont);
    if (run === 0) {
      items = runItems;
      bytes = runBytes;
      pages = runPages;
      if (items < opts.wantItems) throw new Error(`${opts.name}: ${items} items, want at least ${opts.wantItems}`);
    }
    totals.push(total);
    ttfbs.push(first);
  }
  return {
    name: opts.name,
    path: opts.path,
    runs: opts.runs,
    latency: summarize(totals),
    ttfb: summarize(ttfbs),
    items,
    bytes,
    pages,
  };
}

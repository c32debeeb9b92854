/**
 * Create throughput: POST count objects of one kind with `concurrency`
 * requests in flight. Bodies are encoded before the clock starts so the
 * load generator's JSON work is not counted.
 */
import { performance } from 'node:perf_hooks';
import type { BenchClient } from './http-client.js';
import { runPool } from './pool.js';
import { summarize, type Summary } from './stats.js';

export interface CreateResult {
  kind: string;
  count: number;
  seconds: number;
  perSecond: number;
  /** Per-request latency, ms. */
  latency: Summary;
  /** Mean request body size, bytes. */
  meanBodyBytes: number;
  /** Requests the server dropped by closing the connection without an answer (then retried). */
  connectionResets: number;
}

/** Retries of one create whose connection the server closed without answering. */
const MAX_RETRIES = 5;

interface CreateSpec {
  kind: string;
  count: number;
  concurrency: number;
  /** Collection path for object i, e.g. /api/v1/namespaces/NS/services. */
  path(i: number): string;
  object(i: number): object;
}

export async function createMany(client: BenchClient, spec: CreateSpec): Promise<CreateResult> {
  const bodies = Array.from({ length: spec.count }, (_, i) => Buffer.from(JSON.stringify(spec.object(i))));
  const paths = Array.from({ length: spec.count }, (_, i) => spec.path(i));
  const latencies = new Float64Array(spec.count);
  let connectionResets = 0;
  const start = performance.now();
  await runPool(spec.count, spec.concurrency, async (i) => {
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await client.expect({ method: 'POST', path: paths[i]!, body: bodies[i] }, 201);
        break;
      } catch (e) {
        // A connection closed before any answer means the server never ran the request, so a retry is safe.
        // Counted and reported: it is a server defect, not noise.
        if (!isConnectionDrop(e) || attempt >= MAX_RETRIES) throw e;
        connectionResets++;
      }
    }
    latencies[i] = performance.now() - t0;
  });
  const seconds = (performance.now() - start) / 1000;
  let bytes = 0;
  for (const b of bodies) bytes += b.length;
  return {
    kind: spec.kind,
    count: spec.count,
    seconds,
    perSecond: spec.count / seconds,
    latency: summarize(Array.from(latencies)),
    meanBodyBytes: spec.count ? bytes / spec.count : 0,
    connectionResets,
  };
}

function isConnectionDrop(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (e as Error).message === 'socket hang up';
}

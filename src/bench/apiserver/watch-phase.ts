/**
 * Watch fan-out: W watchers on one collection, then U label patches fired
 * on a fixed schedule (open loop). Each patch carries its send time in an
 * annotation; each watcher notes when the event reached it. Latency is
 * measured per (event, watcher) pair from the patch's send and from its
 * response (the commit as the writer sees it).
 */
import { request } from 'node:https';
import { Agent } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { BenchClient } from './http-client.js';
import { summarize, type Summary } from './stats.js';

export interface WatchResult {
  watchers: number;
  updates: number;
  intervalMs: number;
  /** Pairs (event, watcher) expected and received. */
  expectedDeliveries: number;
  deliveries: number;
  /** Patch sent -> watcher received, ms. */
  fromSend: Summary;
  /** Patch response received -> watcher received, ms (negative when the event beat the response). */
  fromResponse: Summary;
  /** Patch request latency, ms. */
  patchLatency: Summary;
  /** Updates per second actually achieved. */
  updatesPerSecond: number;
}

interface WatchSpec {
  /** Collection to watch, e.g. /api/v1/services. */
  collection: string;
  /** Paths of objects to patch (update i patches targets[i % length]). */
  targets: string[];
  watchers: number;
  updates: number;
  intervalMs: number;
}

const SEQ_LABEL = 'bench-seq';
const SENT_ANNOTATION = 'bench.podnet.io/sent-at';
/** Label value of the warm-up patch (label values cannot start with '-'). */
const WARMUP = 'warmup';
const DRAIN_TIMEOUT_MS = 30_000;

interface Watcher {
  req: ClientRequest;
  /** Receive time of update seq, per seq; NaN until received. */
  received: Float64Array;
  warm: boolean;
  count: number;
  ended: boolean;
}

export async function measureWatch(client: BenchClient, spec: WatchSpec): Promise<WatchResult> {
  const rvRes = await client.expect({ method: 'GET', path: `${spec.collection}?limit=1` }, 200);
  const rv = (JSON.parse(rvRes.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata
    .resourceVersion;
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity, ca: client.ca });
  const watchers: Watcher[] = [];
  let onProgress: () => void = () => {};
  try {
    await Promise.all(
      Array.from({ length: spec.watchers }, () =>
        openWatcher(client, agent, spec, rv, () => onProgress()).then((w) => watchers.push(w)),
      ),
    );

    // Warm-up: one patch every watcher must see before the clock starts, proving the watches are live.
    await patch(client, spec.targets[0]!, WARMUP, performance.now());
    await waitFor(
      () => watchers.every((w) => w.warm),
      DRAIN_TIMEOUT_MS,
      (f) => {
        onProgress = f;
      },
      () => `only ${watchers.filter((w) => w.warm).length} of ${spec.watchers} watchers saw the warm-up event`,
    );

    const sentAt = new Float64Array(spec.updates).fill(NaN);
    const respAt = new Float64Array(spec.updates).fill(NaN);
    const patchMs: number[] = [];
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let seq = 0; seq < spec.updates; seq++) {
      const due = start + seq * spec.intervalMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const t = performance.now();
      sentAt[seq] = t;
      inFlight.push(
        patch(client, spec.targets[seq % spec.targets.length]!, seq, t).then((end) => {
          respAt[seq] = end;
          patchMs.push(end - t);
        }),
      );
    }
    await Promise.all(inFlight);
    const writeSeconds = (performance.now() - start) / 1000;
    const expected = spec.updates * spec.watchers;
    const delivered = () => watchers.reduce((n, w) => n + w.count, 0);
    await waitFor(
      () => delivered() >= expected,
      DRAIN_TIMEOUT_MS,
      (f) => {
        onProgress = f;
      },
      () => '',
    ).catch(() => undefined); // a timeout is counted below as undelivered events

    const fromSend: number[] = [];
    const fromResponse: number[] = [];
    for (const w of watchers) {
      for (let seq = 0; seq < spec.updates; seq++) {
        const r = w.received[seq]!;
        if (Number.isNaN(r)) continue;
        fromSend.push(r - sentAt[seq]!);
        fromResponse.push(r - respAt[seq]!);
      }
    }
    return {
      watchers: spec.watchers,
      updates: spec.updates,
      intervalMs: spec.intervalMs,
      expectedDeliveries: expected,
      deliveries: fromSend.length,
      fromSend: summarize(fromSend),
      fromResponse: summarize(fromResponse),
      patchLatency: summarize(patchMs),
      updatesPerSecond: spec.updates / writeSeconds,
    };
  } finally {
    for (const w of watchers) w.req.destroy();
    agent.destroy();
  }
}

/** Open one watch; resolves once the server has answered with 200 and its stream is open. */
function openWatcher(
  client: BenchClient,
  agent: Agent,
  spec: WatchSpec,
  rv: string,
  progress: () => void,
): Promise<Watcher> {
  return new Promise<Watcher>((resolve, reject) => {
    const path = `${spec.collection}?watch=1&resourceVersion=${encodeURIComponent(rv)}`;
    const req = request(client.options('GET', path, { accept: 'application/json' }, agent));
    const w: Watcher = { req, received: new Float64Array(spec.updates).fill(NaN), warm: false, count: 0, ended: false };
    req.on('error', (e) => {
      if (!w.ended) reject(e);
    });
    req.on('response', (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString('utf8');
        });
        res.on('end', () => reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`)));
        return;
      }
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // The receive time is taken before any parsing, once per chunk.
        const now = performance.now();
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          const seq = seqOf(line);
          if (seq === WARMUP) w.warm = true;
          else if (typeof seq === 'number' && seq < spec.updates && Number.isNaN(w.received[seq]!)) {
            w.received[seq] = now;
            w.count++;
          }
        }
        progress();
      });
      res.on('end', () => {
        w.ended = true;
      });
      // A stream the server resets mid-run shows up as missing deliveries, not as a crash of the benchmark.
      res.on('error', () => {
        w.ended = true;
      });
      resolve(w);
    });
    req.end();
  });
}

const SEQ_RE = new RegExp(`"${SEQ_LABEL}":"(\\d+|${WARMUP})"`);

/** The update number (or WARMUP) a MODIFIED event carries; a regex, not JSON.parse, to keep the receiver cheap. */
function seqOf(line: string): number | typeof WARMUP | undefined {
  if (!line.startsWith('{"type":"MODIFIED"')) return undefined;
  const m = SEQ_RE.exec(line);
  if (!m) return undefined;
  return m[1] === WARMUP ? WARMUP : Number(m[1]);
}

async function patch(client: BenchClient, path: string, seq: number | typeof WARMUP, sentAt: number): Promise<number> {
  const body = {
    metadata: { labels: { [SEQ_LABEL]: String(seq) }, annotations: { [SENT_ANNOTATION]: sentAt.toFixed(3) } },
  };
  await client.expect({ method: 'PATCH', path, body, contentType: 'application/merge-patch+json' }, 200);
  return performance.now();
}

function waitFor(
  done: () => boolean,
  timeoutMs: number,
  setHook: (f: () => void) => void,
  why: () => string,
): Promise<void> {
  if (done()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      setHook(() => {});
      reject(new Error(why()));
    }, timeoutMs);
    setHook(() => {
      if (!done()) return;
      clearTimeout(timer);
      setHook(() => {});
      resolve();
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

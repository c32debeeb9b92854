/**
 * How fast a change is live: from the API write to the first request that
 * reaches the fresh backend it adds, with the probe sending requests
 * through the router all along. Two kinds:
 *  - endpoint: a routed Service's slice gets a fresh address beside its
 *    endpoints (then loses it again, before the next sample);
 *  - route: a new Service with its own host appears, its slice (only the
 *    fresh address) written beforehand; removed after the sample.
 * Each sample starts with the router idle (settle) and at a random
 * offset, so it never falls in step with a timer of the router's.
 */
import type { KubeClient } from '../../client/client.js';
import type { FreshBackends } from './fresh-backends.js';
import { NAMESPACE, serviceObj, servicesRes, setEndpoints, sliceObj, slicesRes } from './objects.js';
import type { Probe, ProbeCounts } from './probe.js';
import { metricValue, type RouterHandle } from './router-process.js';

export type ChangeKind = 'endpoint' | 'route';

interface ChangeSample {
  kind: ChangeKind;
  address: string;
  /** First request at the fresh backend, from the write's response (negative: before the response arrived). */
  fromResponseMs: number;
  /** The same, from sending the write. */
  fromSendMs: number;
  /** The write's own round trip. */
  apiMs: number;
  /** What the probe's requests got during the sample. */
  probe: ProbeCounts;
}

export interface ChangeRun {
  kind: ChangeKind;
  /** Routes the router served during the run. */
  routes: number;
  samples: ChangeSample[];
  failures: string[];
}

/** What the router itself reported over a set of samples (its histograms' sums and counts), reverts included. */
export interface RouterReport {
  syncs: number;
  meanSyncMs: number;
  changes: number;
  meanChangeMs: number;
}

interface HistogramTotals {
  syncs: number;
  syncS: number;
  changes: number;
  changeS: number;
}

async function histogramTotals(router: RouterHandle): Promise<HistogramTotals | undefined> {
  const m = await router.metrics();
  const v = (name: string) => metricValue(m, name);
  const [syncs, syncS, changes, changeS] = [
    v(SYNCS),
    v('podnet_router_sync_duration_seconds_sum'),
    v('podnet_router_change_latency_seconds_count'),
    v('podnet_router_change_latency_seconds_sum'),
  ];
  if ([syncs, syncS, changes, changeS].some((x) => x === undefined)) return undefined;
  return { syncs: syncs!, syncS: syncS!, changes: changes!, changeS: changeS! };
}

/** Runs `body` and returns what the router reported meanwhile (undefined when it exports no such histograms). */
export async function withRouterReport<T>(
  router: RouterHandle,
  body: () => Promise<T>,
): Promise<{ result: T; router?: RouterReport }> {
  const a = await histogramTotals(router);
  const result = await body();
  const b = await histogramTotals(router);
  if (!a || !b) return { result };
  const syncs = b.syncs - a.syncs;
  const changes = b.changes - a.changes;
  return {
    result,
    router: {
      syncs,
      meanSyncMs: ((b.syncS - a.syncS) / syncs) * 1000,
      changes,
      meanChangeMs: ((b.changeS - a.changeS) / changes) * 1000,
    },
  };
}

const SAMPLE_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 300_000;
/** The router counts as idle once no sync has finished for this long. */
const QUIET_MS = 400;
/** How often settle asks /metrics (at 10,000 routes rendering it is work for the router too). */
const POLL_MS = 100;
const SYNCS = 'podnet_router_sync_duration_seconds_count';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const msBetween = (a: bigint, b: bigint) => Number(b - a) / 1e6;

/** Syncs the router has finished, from its /metrics (undefined when it does not say). */
async function syncCount(router: RouterHandle): Promise<number | undefined> {
  return metricValue(await router.metrics(), SYNCS);
}

/**
 * Waits until the router has finished a sync since `before` (what
 * syncCount said before the write) and then none for QUIET_MS: everything
 * written so far is applied. Without the metric, waits 1 s.
 */
export async function settle(router: RouterHandle, before: number | undefined): Promise<void> {
  if (before === undefined) return sleep(1000);
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  let last = before;
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(POLL_MS);
    const n = await syncCount(router);
    if (n === undefined) continue;
    if (n !== last) {
      last = n;
      since = performance.now();
    } else if (n > before && performance.now() - since >= QUIET_MS) return;
  }
  throw new Error(
    `the router did not finish syncing within ${SETTLE_TIMEOUT_MS / 1000} s (syncs ${before} -> ${last})`,
  );
}

/** One timed write: arm the address, write, wait for its first request. */
async function timeChange(
  fresh: FreshBackends,
  address: string,
  write: () => Promise<unknown>,
): Promise<Omit<ChangeSample, 'kind' | 'address' | 'probe'>> {
  const { hit } = await fresh.arm(address, SAMPLE_TIMEOUT_MS);
  const sent = process.hrtime.bigint();
  await write();
  const answered = process.hrtime.bigint();
  const at = await hit;
  return { fromResponseMs: msBetween(answered, at), fromSendMs: msBetween(sent, at), apiMs: msBetween(sent, answered) };
}

export interface ChangeContext {
  client: KubeClient;
  router: RouterHandle;
  fresh: FreshBackends;
  probe: Probe;
  log: (m: string) => void;
}

/**
 * Endpoint change: `service` (host `host`, endpoints `base`) gets
 * `address` beside them; with `revert` it loses it again before the next
 * sample, else it keeps it (at scale, each sample picks another route).
 */
export async function endpointSample(
  x: ChangeContext,
  service: string,
  host: string,
  base: readonly string[],
  address: string,
  revert: boolean,
): Promise<ChangeSample> {
  x.probe.target(host);
  await sleep(20 + Math.random() * 30);
  let before = await syncCount(x.router);
  x.probe.take();
  try {
    const t = await timeChange(x.fresh, address, () => setEndpoints(x.client, service, [...base, address]));
    return { kind: 'endpoint', address, ...t, probe: x.probe.take() };
  } finally {
    if (revert) {
      before = await syncCount(x.router);
      await setEndpoints(x.client, service, base);
    }
    await settle(x.router, before);
  }
}

/** The slices of the routes routeSample will add (each only its fresh address), written in one burst. */
export async function prepareRoutes(x: ChangeContext, routes: { name: string; address: string }[]): Promise<void> {
  const before = await syncCount(x.router);
  await Promise.all(routes.map((r) => x.client.create(slicesRes, NAMESPACE, sliceObj(r.name, [r.address]))));
  await settle(x.router, before);
}

/** New route: Service `name` on `host` appears (its slice is there already, prepareRoutes); it stays. */
export async function routeSample(
  x: ChangeContext,
  name: string,
  host: string,
  address: string,
): Promise<ChangeSample> {
  x.probe.target(host);
  await sleep(20 + Math.random() * 30);
  const before = await syncCount(x.router);
  x.probe.take();
  try {
    const t = await timeChange(x.fresh, address, () => x.client.create(servicesRes, NAMESPACE, serviceObj(name, host)));
    return { kind: 'route', address, ...t, probe: x.probe.take() };
  } finally {
    await settle(x.router, before);
  }
}

/** `count` samples of each kind, alternating kinds; a failed sample is recorded and the run goes on. */
export async function runSamples(
  routes: number,
  count: number,
  kinds: { kind: ChangeKind; sample: (k: number) => Promise<ChangeSample> }[],
  log: (m: string) => void,
): Promise<ChangeRun[]> {
  const runs: ChangeRun[] = kinds.map(({ kind }) => ({ kind, routes, samples: [], failures: [] }));
  for (let k = 0; k < count; k++) {
    for (const [i, { kind, sample }] of kinds.entries()) {
      try {
        runs[i]!.samples.push(await sample(k));
      } catch (e) {
        runs[i]!.failures.push(`#${k}: ${(e as Error).message}`);
        log(`  ${kind} change #${k} at ${routes} routes failed: ${(e as Error).message}`);
      }
    }
    if ((k + 1) % 10 === 0) log(`  changes at ${routes} routes: ${k + 1}/${count}`);
  }
  return runs;
}

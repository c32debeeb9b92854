/**
 * Network-programming latency: from sending an API write to the first TCP
 * connection that succeeds through the rule it implies, polled every ~1 ms
 * from the node namespace. Two kinds of change, alternated:
 *  - endpoints: a Service that had no endpoints (connections refused) gets
 *    its EndpointSlice of 10 real endpoints;
 *  - service: a new Service (its slice written beforehand) on an address
 *    that was unallocated (connections dropped); removed after the sample.
 * Every sample starts with the proxy idle.
 */
import { clusterIpFor, SERVICE_PORT } from './objects.js';
import { REAL_ENDPOINTS } from './netns.js';
import type { Population } from './population.js';
import { firstConnect } from './probe.js';
import type { ProxyHandle } from './proxy-handle.js';

export type ChangeKind = 'endpoints' | 'service';

interface LatencySample {
  kind: ChangeKind;
  ms: number;
  apiMs: number;
  attempts: number;
}

export interface LatencyRun {
  scale: number;
  samples: LatencySample[];
  failures: string[];
  incrementalSyncMs: number[];
}

const PROBE_DEADLINE_MS = 120_000;

/** Creates the Services the endpoints samples will change (they exist, without endpoints, before the scale is measured). */
export async function prepareEndpointTargets(
  pop: Population,
  scale: number,
  count: number,
): Promise<{ name: string; ip: string }[]> {
  const out: { name: string; ip: string }[] = [];
  for (let k = 0; k < count; k++) {
    const i = pop.takeIndex();
    const name = `lat-${scale}-${k}`;
    await pop.createService(name, i);
    out.push({ name, ip: clusterIpFor(i) });
  }
  return out;
}

async function endpointsSample(pop: Population, target: { name: string; ip: string }): Promise<LatencySample> {
  const t0 = performance.now();
  const write = pop.createSlice(target.name, REAL_ENDPOINTS).then(() => performance.now());
  const probe = await firstConnect(target.ip, SERVICE_PORT, PROBE_DEADLINE_MS);
  const apiDone = await write;
  return { kind: 'endpoints', ms: probe.connectedAt - t0, apiMs: apiDone - t0, attempts: probe.attempts };
}

async function serviceSample(pop: Population, proxy: ProxyHandle, scale: number, k: number): Promise<LatencySample> {
  const name = `new-${scale}-${k}`;
  const i = pop.takeIndex();
  const ip = clusterIpFor(i);
  await pop.createSlice(name, REAL_ENDPOINTS);
  await proxy.waitIdle();
  const t0 = performance.now();
  const write = pop.createService(name, i).then(() => performance.now());
  const probe = await firstConnect(ip, SERVICE_PORT, PROBE_DEADLINE_MS);
  const apiDone = await write;
  // Back to the same cluster size for the next sample.
  await pop.deleteService(name);
  await pop.deleteSlice(name);
  return { kind: 'service', ms: probe.connectedAt - t0, apiMs: apiDone - t0, attempts: probe.attempts };
}

export async function measureLatency(
  pop: Population,
  proxy: ProxyHandle,
  scale: number,
  targets: { name: string; ip: string }[],
  log: (m: string) => void,
): Promise<LatencyRun> {
  const samples: LatencySample[] = [];
  const failures: string[] = [];
  const firstSync = proxy.syncs.length;
  for (let k = 0; k < targets.length; k++) {
    for (const kind of ['endpoints', 'service'] as const) {
      await proxy.waitIdle();
      try {
        samples.push(
          kind === 'endpoints' ? await endpointsSample(pop, targets[k]!) : await serviceSample(pop, proxy, scale, k),
        );
      } catch (e) {
        failures.push(`${kind} #${k}: ${(e as Error).message}`);
      }
    }
    if ((k + 1) % 10 === 0) log(`  latency at ${scale}: ${k + 1}/${targets.length} pairs`);
  }
  const incrementalSyncMs = proxy.syncs
    .slice(firstSync)
    .filter((s) => !s.full)
    .map((s) => s.ms);
  return { scale, samples, failures, incrementalSyncMs };
}

/**
 * One proxy mode, measured end to end; run by main.ts inside the mode's
 * node namespace (`ip netns exec`), so the API server, the proxy and
 * every client it starts live there too. Writes its results as JSON to
 * the file named by --out.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KubeClient } from '../../client/client.js';
import type { ProxyMode } from '../../proxy/index.js';
import { spawnApiServer, type ServerProcess } from '../apiserver/server-process.js';
import { measureConnRate, type ConnRateRun } from './conn-rate.js';
import { measureFullSync, type FullSyncSample } from './full-sync.js';
import { measureLatency, prepareEndpointTargets, type LatencyRun } from './latency.js';
import { NODE_IP, REAL_ENDPOINTS } from './netns.js';
import { clusterIpFor } from './objects.js';
import type { DriverConfig } from './options.js';
import { Population } from './population.js';
import { spawnProxy, type ProxyHandle } from './proxy-handle.js';

export interface ModeResult {
  mode: ProxyMode;
  latency: LatencyRun[];
  connRate: ConnRateRun[];
  fullSync: FullSyncSample[];
  proxyErrors: string;
}

const { values } = parseArgs({ options: { config: { type: 'string' }, out: { type: 'string' } }, strict: true });
const cfg = JSON.parse(values.config!) as DriverConfig;
const log = (m: string) => process.stderr.write(`[${cfg.mode}] ${m}\n`);

let api: ServerProcess | undefined;
let proxy: ProxyHandle | undefined;
const stopAll = async () => {
  await proxy?.stop();
  await api?.stop();
};
process.once('SIGTERM', () => {
  void stopAll().finally(() => process.exit(143));
});
process.once('SIGINT', () => {
  void stopAll().finally(() => process.exit(130));
});

try {
  api = await spawnApiServer({ mode: 'bare', nodeArgs: [], verbose: false });
  const client = new KubeClient({
    server: api.url,
    token: api.token,
    caCertPem: api.caPem,
    userAgent: 'podnet-bench-driver',
  });
  const server = api;
  const spawn = () =>
    spawnProxy(
      { server: server.url, token: server.token, caPem: server.caPem, mode: cfg.mode, nodeIp: NODE_IP },
      cfg.proxyNodeArgs,
    );
  proxy = spawn();
  await proxy.waitSync(0);
  const pop = new Population(client);
  /** Waits until the proxy has programmed every Service we created (+1: the API's own `kubernetes`). */
  const settle = async () => {
    const want = pop.services + 1;
    await proxy!.waitSync(0, (s) => s.servicePorts >= want);
    await proxy!.waitIdle();
  };

  // The connection-rate target: created first, named to sort last (the worst place in iptables' KUBE-SERVICES list).
  const rateIndex = pop.takeIndex();
  await pop.createService('zz-rate', rateIndex);
  await pop.createSlice('zz-rate', REAL_ENDPOINTS);
  const connRate: ConnRateRun[] = [];
  const latency: LatencyRun[] = [];
  const rate = async (n: number) => {
    await pop.growTo(n);
    await settle();
    for (const from of ['pod', 'node'] as const) {
      connRate.push(
        await measureConnRate(
          pop.services,
          clusterIpFor(rateIndex),
          from,
          cfg.clientNs,
          cfg.rateRuns,
          cfg.rateSeconds,
          cfg.rateConnections,
          log,
        ),
      );
    }
  };
  await rate(cfg.rateSmall);
  for (const scale of cfg.scales) {
    const t = performance.now();
    await pop.growTo(scale - cfg.samples);
    const targets = await prepareEndpointTargets(pop, scale, cfg.samples);
    await settle();
    log(
      `${scale} Services x 10 endpoints in place (${((performance.now() - t) / 1000).toFixed(1)} s to create and sync)`,
    );
    latency.push(await measureLatency(pop, proxy, scale, targets, log));
  }
  await rate(cfg.scales.at(-1)!);
  const fs = await measureFullSync(cfg.mode, pop.services + 1, cfg.fullSyncReps, proxy, spawn, log);
  proxy = fs.proxy;
  const result: ModeResult = {
    mode: cfg.mode,
    latency,
    connRate,
    fullSync: fs.samples,
    proxyErrors: proxy
      .stderrTail()
      .split('\n')
      .filter((l) => /fail|error/i.test(l))
      .join('\n'),
  };
  writeFileSync(values.out!, JSON.stringify(result));
} finally {
  await stopAll();
}

/**
 * The measurements, run by main.ts inside the bench's namespace (`ip netns
 * exec`, pinned to the client core), so every process it starts lives
 * there too: the API server (bench/apiserver's bare server: no
 * controllers, so only the bench writes objects), the backends, the
 * proxies, `podnet router`. Writes its results as JSON to --out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient } from '../../client/client.js';
import { spawnApiServer, type ServerProcess } from '../apiserver/server-process.js';
import type { Child } from '../common/child.js';
import { backgroundCores } from '../common/host-busy.js';
import {
  endpointSample,
  prepareRoutes,
  routeSample,
  runSamples,
  withRouterReport,
  type ChangeContext,
  type ChangeRun,
  type RouterReport,
} from './change-latency.js';
import { startBackends, startHandwrittenHaproxy, startNginxProxy } from './data-plane.js';
import { FreshBackends } from './fresh-backends.js';
import { BACKENDS, CLIENT_CPU, freshAddress, PROXY_IP, PROXY_PORTS, SERVER_CPU, type ProxyName } from './net.js';
import {
  BENCH_HOST,
  BENCH_SERVICE,
  createRoute,
  createScaleRoutes,
  scaleEndpoints,
  scaleHost,
  scaleService,
} from './objects.js';
import { freshNeeded, type DriverConfig, type Phase } from './options.js';
import { Probe } from './probe.js';
import { routerArgv, startRouter, type RouterConfig, type RouterHandle } from './router-process.js';
import { routeStatus, timeColdStart, type ColdStart } from './scale.js';
import { ownCpuSecondsOf } from '../common/proc-cpu.js';
import { besideRouter, minimalConfig, timeHaproxyAlone, type AloneStart } from './haproxy-alone.js';
import { measureThroughput, type ConnectionCase, type ThroughputCase, type ThroughputTarget } from './throughput.js';

/** Change samples at one size, and what the router reported meanwhile. */
interface ChangePhase {
  routes: number;
  runs: ChangeRun[];
  router?: RouterReport;
  /** Busy cores on the host just before, our processes idle: what others ran. */
  backgroundCores: number;
}

export interface ScaleResult {
  routes: number;
  endpointsPerRoute: number;
  /** Seconds to create the routes' Services and slices through the API (setup, not a goal). */
  populateS: number;
  starts: ColdStart[];
  changes: ChangePhase;
  /** After the changes: HAProxy processes still running (old workers of reloads linger while they hold connections). */
  haproxyProcessesAfter: number;
  controllerRssAfterMiB: number;
  haproxyRssAfterMiB: number;
  /** The floor: HAProxy alone, exec to serving, on the router's rendered config and on a minimal one. */
  haproxyAlone?: { podnetConfig: AloneStart; minimal: AloneStart };
}

export interface DriverResult {
  cpuLayout: { pinned: boolean; clientCpu: number; serverCpu: number };
  routerArgv: string[];
  throughput: ThroughputCase[];
  /** Busy cores on the host before the throughput phase, our processes idle. */
  throughputBackgroundCores?: number;
  change?: ChangePhase;
  scale?: ScaleResult;
  /** Lines of the routers' stderr that mention a failure. */
  routerErrors: string[];
  /** A phase that could not finish, and why (the others still ran). */
  phaseErrors: string[];
}

const { values } = parseArgs({
  options: { config: { type: 'string' }, out: { type: 'string' }, tmp: { type: 'string' } },
  strict: true,
});
const cfg = JSON.parse(values.config!) as DriverConfig;
const tmp = values.tmp!;
/** HAProxy alone listens here (beside the router, which keeps its port). */
const ALONE_PORT = 8014;
const log = (m: string) => process.stderr.write(`[router bench] ${m}\n`);
const cpus = cfg.pin ? { client: String(CLIENT_CPU), server: String(SERVER_CPU) } : { client: '', server: '' };

let api: ServerProcess | undefined;
let fresh: FreshBackends | undefined;
let probe: Probe | undefined;
const children = new Map<string, Child>();
const routers = new Map<string, RouterHandle>();
const routerErrors: string[] = [];

async function stopRouter(key: string): Promise<void> {
  const r = routers.get(key);
  if (!r) return;
  routers.delete(key);
  routerErrors.push(
    ...r.child
      .output()
      .split('\n')
      .filter((l) => /fail|error|refuse/i.test(l))
      .map((l) => `${r.config.label}: ${l}`),
  );
  await r.stop();
}

async function stopAll(): Promise<void> {
  await probe?.stop();
  for (const key of [...routers.keys()]) await stopRouter(key);
  for (const c of children.values()) await c.stop();
  await fresh?.stop();
  await api?.stop();
}
for (const [sig, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)
  process.once(sig, () => void stopAll().finally(() => process.exit(code)));

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** 0..n-1 in random order (Fisher-Yates). */
function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function waitServing(r: RouterHandle, host: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await routeStatus(r.config.port, host)) !== 200) {
    if (r.child.exited()) throw new Error(`${r.config.label} exited: ${r.child.output().slice(-2000)}`);
    if (performance.now() > deadline)
      throw new Error(`${r.config.label} did not serve ${host} within ${timeoutMs / 1000} s: ${r.child.output()}`);
    await sleep(20);
  }
}

try {
  api = await spawnApiServer({
    mode: 'bare',
    nodeArgs: [],
    verbose: false,
    ...(cpus.client ? { cpus: cpus.client } : {}),
  });
  const kubeconfig = join(api.stateDir, 'kubeconfig');
  const client = new KubeClient({ server: api.url, token: api.token, caCertPem: api.caPem, userAgent: 'podnet-bench' });
  const freshBackends = new FreshBackends(cpus.server);
  fresh = freshBackends;
  await freshBackends.listen(Array.from({ length: freshNeeded(cfg) }, (_, k) => freshAddress(k)));
  (await startBackends(join(tmp, 'backends'), cpus.server)).forEach((c, i) => children.set(`backend ${i}`, c));
  await createRoute(client, BENCH_SERVICE, BENCH_HOST, BACKENDS);

  const routerConfig = (name: 'podnet' | 'podnet-nolog', runDir: string): RouterConfig => ({
    label: name === 'podnet' ? 'podnet router' : 'podnet router (no access log)',
    kubeconfig,
    runDir: join(tmp, runDir),
    port: PROXY_PORTS[name],
    metricsPort: name === 'podnet' ? 10254 : 10255,
    statsPort: name === 'podnet' ? 8404 : 8405,
    accessLog: name === 'podnet',
    cpus: cpus.server,
    nodeArgs: cfg.routerNodeArgs,
  });
  const startPodnet = async (name: 'podnet' | 'podnet-nolog', runDir: string, host = BENCH_HOST) => {
    const r = startRouter(routerConfig(name, runDir));
    routers.set(name, r);
    await waitServing(r, host);
    return r;
  };

  const result: DriverResult = {
    cpuLayout: { pinned: cfg.pin, clientCpu: CLIENT_CPU, serverCpu: SERVER_CPU },
    routerArgv: routerArgv(routerConfig('podnet', 'run-podnet')),
    throughput: [],
    routerErrors,
    phaseErrors: [],
  };
  /** Runs a phase; a failure is recorded with the results instead of losing the other phases. */
  const phase = async (name: Phase, body: () => Promise<void>) => {
    if (!cfg.phases.includes(name)) return;
    try {
      await body();
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      result.phaseErrors.push(`${name}: ${why}`);
      log(`${name} phase failed: ${why}`);
      await probe?.stop();
      probe = undefined;
    }
  };

  await phase('throughput', async () => {
    const targets: ThroughputTarget[] = [];
    for (const name of cfg.proxies) {
      if (name === 'podnet' || name === 'podnet-nolog') {
        const r = await startPodnet(name, `run-${name}`);
        targets.push({
          name,
          cpuSeconds: () => ({ proxy: r.cpuSeconds().haproxy, controller: r.cpuSeconds().controller }),
        });
      } else {
        const c =
          name === 'haproxy'
            ? await startHandwrittenHaproxy(join(tmp, 'haproxy'), cpus.server)
            : await startNginxProxy(join(tmp, 'nginx'), cpus.server);
        children.set(name, c);
        targets.push({ name, cpuSeconds: () => ({ proxy: ownCpuSecondsOf(c.pid), controller: 0 }) });
      }
    }
    log(
      `throughput: ${cfg.proxies.join(', ')}; ${cfg.rounds} rounds of ${cfg.seconds} s per case, wrk -t1 -c${cfg.connections}`,
    );
    for (const c of ['keep-alive', 'close'] as ConnectionCase[])
      result.throughput.push(
        await measureThroughput(
          targets,
          c,
          {
            rounds: cfg.rounds,
            seconds: cfg.seconds,
            connections: cfg.connections,
            ...(cfg.pin ? { clientCpu: CLIENT_CPU } : {}),
          },
          log,
        ),
      );
    for (const name of ['haproxy', 'nginx'] as ProxyName[]) {
      await children.get(name)?.stop();
      children.delete(name);
    }
    await stopRouter('podnet-nolog');
  });

  await phase('change', async () => {
    const router = routers.get('podnet') ?? (await startPodnet('podnet', 'run-podnet'));
    probe = new Probe(PROXY_IP, PROXY_PORTS.podnet);
    const x: ChangeContext = { client, router, fresh: freshBackends, probe, log };
    const background = await backgroundCores();
    log(`change: ${cfg.changes} endpoint changes at 1 route`);
    const { result: runs, router: report } = await withRouterReport(router, () =>
      runSamples(
        1,
        cfg.changes,
        [
          {
            kind: 'endpoint',
            sample: (k) => endpointSample(x, BENCH_SERVICE, BENCH_HOST, BACKENDS, freshAddress(k), true),
          },
        ],
        log,
      ),
    );
    result.change = { routes: 1, runs, ...(report ? { router: report } : {}), backgroundCores: background };
    await probe.stop();
    probe = undefined;
  });

  await phase('scale', async () => {
    for (const key of [...routers.keys()]) await stopRouter(key);
    const n = cfg.routes;
    log(`scale: creating ${n.toLocaleString('en-US')} routed Services with their slices`);
    const t0 = performance.now();
    await createScaleRoutes(client, n, cfg.endpointsPerRoute);
    const populateS = (performance.now() - t0) / 1000;
    log(`scale: ${n.toLocaleString('en-US')} routes in the API after ${populateS.toFixed(1)} s`);
    const hosts = [
      scaleHost(n - 1),
      BENCH_HOST,
      ...Array.from({ length: 5 }, () => scaleHost(Math.floor(Math.random() * n))),
    ];
    const starts: ColdStart[] = [];
    let router: RouterHandle | undefined;
    for (let s = 0; s < cfg.starts; s++) {
      const spawnedAt = performance.now();
      router = startRouter(routerConfig('podnet', `run-scale-${s}`));
      routers.set('podnet', router);
      const cs = await timeColdStart(router, spawnedAt, n + 1, hosts, 300_000);
      starts.push(cs);
      log(
        `scale: start ${s + 1}/${cfg.starts}: ready ${cs.toReadyMs.toFixed(0)} ms, all routes in /metrics ${cs.toRoutesMs.toFixed(0)} ms, serving ${cs.toServingMs.toFixed(0)} ms; CPU controller ${cs.cpuSeconds.controller.toFixed(2)} s, HAProxy ${cs.cpuSeconds.haproxy.toFixed(2)} s`,
      );
      if (s < cfg.starts - 1) await stopRouter('podnet');
    }
    const aloneRoutes = [
      ...Array.from({ length: n }, (_, i) => ({
        host: scaleHost(i),
        endpoints: scaleEndpoints(i, cfg.endpointsPerRoute),
      })),
      { host: BENCH_HOST, endpoints: BACKENDS },
    ];
    const runDir = router!.config.runDir;
    const aloneDir = (name: string) => join(tmp, name);
    const haproxyAlone = {
      podnetConfig: await timeHaproxyAlone(
        aloneDir('alone-podnet'),
        besideRouter(readFileSync(join(runDir, 'haproxy.cfg'), 'utf8'), runDir, aloneDir('alone-podnet'), ALONE_PORT),
        cpus.server,
        ALONE_PORT,
        hosts,
      ),
      minimal: await timeHaproxyAlone(
        aloneDir('alone-minimal'),
        minimalConfig(aloneDir('alone-minimal'), ALONE_PORT, aloneRoutes),
        cpus.server,
        ALONE_PORT,
        hosts,
      ),
    };
    log(
      `scale: HAProxy alone, exec to serving: ${haproxyAlone.podnetConfig.servingMs.toFixed(0)} ms on the router's config, ${haproxyAlone.minimal.servingMs.toFixed(0)} ms on a minimal one (CPU ${haproxyAlone.podnetConfig.cpuSeconds.toFixed(2)} / ${haproxyAlone.minimal.cpuSeconds.toFixed(2)} s, the master's ${haproxyAlone.podnetConfig.masterCpuSeconds.toFixed(2)} / ${haproxyAlone.minimal.masterCpuSeconds.toFixed(2)} s)`,
    );
    probe = new Probe(PROXY_IP, PROXY_PORTS.podnet);
    const x: ChangeContext = { client, router: router!, fresh: freshBackends, probe, log };
    await sleep(1000);
    const background = await backgroundCores();
    log(
      `scale: ${cfg.scaleChanges} endpoint changes and ${cfg.scaleChanges} new routes among ${n} routes, alternating`,
    );
    // Every route changed once at most; the new routes' slices first, in one burst.
    const picks = shuffled(n).slice(0, cfg.scaleChanges);
    const added = Array.from({ length: cfg.scaleChanges }, (_, k) => ({
      name: `n-${k}`,
      host: `n-${k}.scale.example.com`,
      address: freshAddress(cfg.changes + cfg.scaleChanges + k),
    }));
    await prepareRoutes(x, added);
    const { result: runs, router: report } = await withRouterReport(router!, () =>
      runSamples(
        n + 1,
        cfg.scaleChanges,
        [
          {
            kind: 'endpoint',
            sample: (k) => {
              const i = picks[k % picks.length]!;
              const endpoints = scaleEndpoints(i, cfg.endpointsPerRoute);
              return endpointSample(x, scaleService(i), scaleHost(i), endpoints, freshAddress(cfg.changes + k), false);
            },
          },
          {
            kind: 'route',
            sample: (k) => routeSample(x, added[k]!.name, added[k]!.host, added[k]!.address),
          },
        ],
        log,
      ),
    );
    await probe.stop();
    probe = undefined;
    const changes: ChangePhase = {
      routes: n + 1,
      runs,
      ...(report ? { router: report } : {}),
      backgroundCores: background,
    };
    const mem = router!.memory();
    result.scale = {
      routes: n,
      endpointsPerRoute: cfg.endpointsPerRoute,
      populateS,
      starts,
      changes,
      haproxyProcessesAfter: mem.haproxy.length,
      controllerRssAfterMiB: mem.controller.rssMiB,
      haproxyRssAfterMiB: Math.max(0, ...mem.haproxy.map((m) => m.rssMiB)),
      haproxyAlone,
    };
  });
  for (const key of [...routers.keys()]) await stopRouter(key);
  writeFileSync(values.out!, JSON.stringify(result));
} finally {
  await stopAll();
}

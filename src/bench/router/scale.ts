/**
 * 10,000 routes: `podnet router` started fresh (a new run dir, no HAProxy
 * running) against an API server that already holds every route, timed
 * from the spawn to HAProxy serving all of them. "Serving all": the
 * router's /metrics counts every route (podnet_router_routes) and a
 * request to the last-created host and to a few random ones, each on a
 * new connection, answers 200 from a backend.
 */
import { request } from 'node:http';
import { PROXY_IP } from './net.js';
import { metricValue, type RouterHandle } from './router-process.js';

export interface ColdStart {
  /** Spawn -> /readyz 200 (the router says its first sync is applied). */
  toReadyMs: number;
  /** Spawn -> /metrics counting every route. */
  toRoutesMs: number;
  /** Spawn -> all routes in /metrics and every checked host answering 200 (the later of the two). */
  toServingMs: number;
  routes: number;
  hostsChecked: number;
  controllerRssMiB: number;
  /** The largest HAProxy process (the worker; master and worker share pages). */
  haproxyRssMiB: number;
  haproxyProcesses: number;
  /**
   * CPU seconds spent by then (load-robust where wall times are not): the
   * controller's process, and HAProxy's live processes (master and worker).
   */
  cpuSeconds: { controller: number; haproxy: number };
}

/** The status of GET / with Host `host` through the proxy on a new connection; 0 when it fails. */
export function routeStatus(port: number, host: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: PROXY_IP, port, path: '/', headers: { host }, agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', () => resolve(0));
      },
    );
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(0));
    req.end();
  });
}

/**
 * Polls every 10 ms, from the spawn at `spawnedAt`, until `router` says it
 * is ready and serves: its /metrics counts `wantRoutes` routes (before the
 * first sync the router answers /metrics with nothing) and every host in
 * `hosts` answers 200. Throws after `timeoutMs`.
 */
export async function timeColdStart(
  router: RouterHandle,
  spawnedAt: number,
  wantRoutes: number,
  hosts: string[],
  timeoutMs: number,
): Promise<ColdStart> {
  let toReadyMs = NaN;
  let toRoutesMs = NaN;
  let toHostsMs = NaN;
  let routes = 0;
  const since = () => performance.now() - spawnedAt;
  for (;;) {
    if (router.child.exited())
      throw new Error(`podnet router exited during start: ${router.child.output().slice(-2000)}`);
    // HAProxy refuses to start past the open-file limit, and the router retries forever: say so at once.
    const fd = /\[ALERT\][^|\n]*Cannot raise FD limit[^|\n]*/.exec(router.child.output());
    if (fd)
      throw new Error(
        `HAProxy refused to start (${Math.round(since())} ms after the spawn): "${fd[0].trim()}"; the router retries, never serving`,
      );
    if (since() > timeoutMs)
      throw new Error(
        `podnet router did not serve ${wantRoutes} routes within ${timeoutMs / 1000} s (ready ${Number.isNaN(toReadyMs) ? 'no' : 'yes'}, routes ${routes}); it said: ${router.child.output().slice(-1500)}`,
      );
    if (Number.isNaN(toReadyMs) && (await router.ready())) toReadyMs = since();
    if (Number.isNaN(toRoutesMs)) {
      const m = await router.metrics();
      const n = metricValue(m, 'podnet_router_routes');
      routes = n ?? routes;
      // A router whose /metrics has content but not this gauge is judged by its answers alone.
      if (n === undefined ? !!m?.trim() && !m.includes('podnet_router_routes') : n >= wantRoutes) toRoutesMs = since();
    }
    if (Number.isNaN(toHostsMs)) {
      const statuses = await Promise.all(hosts.map((h) => routeStatus(router.config.port, h)));
      if (statuses.every((s) => s === 200)) toHostsMs = since();
    }
    if (!Number.isNaN(toReadyMs) && !Number.isNaN(toRoutesMs) && !Number.isNaN(toHostsMs)) {
      const mem = router.memory();
      const cpuSeconds = router.cpuSeconds();
      return {
        toReadyMs,
        toRoutesMs,
        toServingMs: Math.max(toRoutesMs, toHostsMs),
        routes,
        hostsChecked: hosts.length,
        controllerRssMiB: mem.controller.rssMiB,
        haproxyRssMiB: Math.max(0, ...mem.haproxy.map((x) => x.rssMiB)),
        haproxyProcesses: mem.haproxy.length,
        cpuSeconds,
      };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Runs one probe attempt (pkg/probe: http, tcp, exec, grpc) and says whether
 * it passed. An "error" outcome means the probe could not be run at all (e.g.
 * a named port that does not exist); the kubelet discards such results.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { grpcHealthCheck } from './grpc-health.js';
import type { ContainerSpec, ProbeSpec } from './types.js';

export type ProbeOutcome = { result: 'success' | 'failure' | 'error'; output: string };

export type ExecFn = (argv: string[], timeoutMs: number) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface ProbeTarget {
  /** Pod IP: the default host for httpGet/tcpSocket and the only one for grpc. */
  podIp: string;
  container: ContainerSpec;
  /** Runs a command in the container's sandbox (the runtime's execInSandbox). */
  exec: ExecFn;
}

export const PROBE_USER_AGENT = 'kube-probe/podnet';
const MAX_REDIRECTS = 10;
/** The kubelet keeps at most this much of a response body for messages. */
const MAX_BODY = 10 * 1024;

export const probeDefaults = (p: ProbeSpec) => ({
  initialDelaySeconds: p.initialDelaySeconds ?? 0,
  periodSeconds: p.periodSeconds || 10,
  timeoutSeconds: p.timeoutSeconds || 1,
  successThreshold: p.successThreshold || 1,
  failureThreshold: p.failureThreshold || 3,
});

/** A port number, or the containerPort of the container's port with that name. */
export function resolvePort(port: number | string, container: ContainerSpec): number | string {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named)
    return `couldn't find port: ${port} in container ${container.name} (name it in spec.containers[].ports or use a number)`;
  return named.containerPort;
}

const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export async function runProbe(spec: ProbeSpec, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutMs = probeDefaults(spec).timeoutSeconds * 1000;
  if (spec.exec) return execProbe(spec.exec.command ?? [], timeoutMs, target.exec);
  if (spec.httpGet) {
    const port = resolvePort(spec.httpGet.port, target.container);
    if (typeof port === 'string') return { result: 'error', output: port };
    const scheme = (spec.httpGet.scheme ?? 'HTTP').toLowerCase();
    let path = spec.httpGet.path ?? '/';
    if (!path.startsWith('/')) path = '/' + path;
    const url = new URL(`${scheme}://${hostPort(spec.httpGet.host || target.podIp, port)}${path}`);
    return httpProbe(url, spec.httpGet.httpHeaders ?? [], timeoutMs);
  }
  if (spec.tcpSocket) {
    const port = resolvePort(spec.tcpSocket.port, target.container);
    if (typeof port === 'string') return { result: 'error', output: port };
    return tcpProbe(spec.tcpSocket.host || target.podIp, port, timeoutMs);
  }
  if (spec.grpc) {
    const r = await grpcHealthCheck(target.podIp, spec.grpc.port, spec.grpc.service ?? '', timeoutMs, PROBE_USER_AGENT);
    return r.ok ? { result: 'success', output: '' } : { result: 'failure', output: r.message };
  }
  return { result: 'error', output: 'probe has no handler: set one of exec, httpGet, tcpSocket or grpc' };
}

async function execProbe(argv: string[], timeoutMs: number, exec: ExecFn): Promise<ProbeOutcome> {
  if (argv.length === 0) return { result: 'error', output: 'exec probe has an empty command' };
  try {
    const r = await exec(argv, timeoutMs);
    const output = (r.stdout + r.stderr).slice(0, MAX_BODY);
    return r.code === 0
      ? { result: 'success', output }
      : { result: 'failure', output: output || `command ${JSON.stringify(argv)} exited with ${r.code}` };
  } catch (e) {
    // Timeouts and failures to run the command both count as a failed probe.
    return { result: 'failure', output: `command ${JSON.stringify(argv)} failed: ${(e as Error).message}` };
  }
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const finish = (o: ProbeOutcome) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = setTimeout(
      () => finish({ result: 'failure', output: `dial tcp ${hostPort(host, port)}: i/o timeout` }),
      timeoutMs,
    );
    sock.once('connect', () => finish({ result: 'success', output: '' }));
    sock.once('error', (e) => finish({ result: 'failure', output: `dial tcp ${hostPort(host, port)}: ${e.message}` }));
  });
}

interface HttpResponse {
  status: number;
  location?: string;
  body: string;
}

function httpGetOnce(url: URL, headers: Record<string, string>, deadline: number): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'GET',
        headers,
        agent: false,
        // The kubelet does not verify pod certificates.
        ...(url.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < MAX_BODY) body += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: body.slice(0, MAX_BODY) }),
        );
        res.on('error', reject);
      },
    );
    const left = Math.max(1, deadline - Date.now());
    req.setTimeout(left, () =>
      req.destroy(new Error(`context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)),
    );
    req.on('error', reject);
    req.end();
  });
}

async function httpProbe(
  start: URL,
  probeHeaders: { name: string; value: string }[],
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const headers: Record<string, string> = {};
  for (const h of probeHeaders) headers[h.name.toLowerCase()] = h.value;
  headers['user-agent'] ??= PROBE_USER_AGENT;
  headers['accept'] ??= '*/*';
  headers['connection'] = 'close';
  const deadline = Date.now() + timeoutMs;
  let url = start;
  try {
    for (let hops = 0; ; hops++) {
      const res = await httpGetOnce(url, headers, deadline);
      const redirect = res.status >= 300 && res.status < 400 && res.location;
      if (redirect) {
        const next = new URL(res.location!, url);
        // Redirects to another host are not followed; the 3xx itself then counts as success.
        if (next.hostname === start.hostname) {
          if (hops + 1 >= MAX_REDIRECTS)
            return { result: 'failure', output: `Get "${start.href}": stopped after ${MAX_REDIRECTS} redirects` };
          url = next;
          continue;
        }
        return { result: 'success', output: `Probe terminated redirects, Response body: ${res.body}` };
      }
      if (res.status >= 200 && res.status < 400) return { result: 'success', output: res.body };
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${res.status}` };
    }
  } catch (e) {
    return { result: 'failure', output: `Get "${url.href}": ${(e as Error).message}` };
  }
}

/**
 * The node agent's streaming server: the kubelet's /exec, /attach,
 * /containerLogs and /portForward for the pods this node runs, on HTTPS that
 * takes only the API server: a client certificate from the cluster CA whose
 * common name is the API server's kubelet-client name. Users authenticate at
 * the API server, which proxies here; a stranger on the network or a pod
 * cannot complete the handshake.
 *
 * Protocols, as the kubelet serves them: WebSocket v5/v4.channel.k8s.io for
 * exec and attach, SPDY/3.1 with v4.channel.k8s.io (kubectl's fallback),
 * and for port-forward SPDY (plain, or tunnelled as SPDY/3.1+portforward.k8s.io
 * inside WebSocket messages) or v4.channel.k8s.io (the JS client).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  PROTOCOL_PORTFORWARD_TUNNEL,
  PROTOCOL_V4,
  PROTOCOL_V5,
  SPDY_PORTFORWARD,
  SPDY_REMOTECOMMAND_V4,
} from '../../streaming/channel.js';
import { parseNodeCommand, parsePorts, type CommandOptions } from '../../streaming/options.js';
import { SpdySession } from '../../streaming/spdy/session.js';
import { internalErrorStatus } from '../../streaming/status.js';
import type { ApiPod } from '../pods.js';
import type { PodRuntime, SandboxState } from '../runtime/types.js';
import { runAttach } from './attach.js';
import { spdyCommandIO, WebSocketCommandIO, type CommandIO } from './command-io.js';
import { runExec } from './exec.js';
import { logOptionsFromQuery, serveLogs } from './logs.js';
import type { ForwardTarget } from './pod-connection.js';
import { servePortForwardChannels, servePortForwardSpdy } from './port-forward.js';
import { logAttempt, parseRoute, runningContainer, type StreamingRoute } from './target.js';

/** The common name of the API server's client certificate; nothing else may stream. */
const APISERVER_CLIENT_CN = 'kube-apiserver-kubelet-client';
export const STREAMING_PORT = 10250;
/** A connection that has not finished its request (or handshake) by then is dropped. */
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** A SPDY client silent this long is gone: kubectl pings every 5 s (exec) or 10 s (port-forward). */
const SPDY_IDLE_MS = 60_000;
/** WebSocket clients are pinged this often and dropped when a pong does not come back before the next. */
const WS_PING_MS = 20_000;

interface StreamingPods {
  lookup(namespace: string, name: string): { pod: ApiPod; sandbox: SandboxState | undefined } | undefined;
  attemptDir(uid: string, container: string, attempt: number): string;
  /** How to run a command in this running container (the runtime's exec: runc exec, or nsenter). */
  execArgv: PodRuntime['execArgv'];
}

interface StreamingServerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  /** The cluster CA: client certificates must chain to it. */
  caPem: string;
  pods: StreamingPods;
  log: (m: string) => void;
}

export interface RunningStreamingServer {
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startStreamingServer(o: StreamingServerOptions): Promise<RunningStreamingServer> {
  const server: Server = createServer({
    cert: o.certPem,
    key: o.keyPem,
    ca: o.caPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  server.headersTimeout = HANDSHAKE_TIMEOUT_MS;
  server.requestTimeout = 0; // logs -f and upgraded sessions last as long as they last
  server.on('secureConnection', (socket: TLSSocket) => {
    const cert = socket.getPeerCertificate();
    if (!socket.authorized || cert.subject?.CN !== APISERVER_CLIENT_CN) socket.destroy();
  });
  const sessions = new Set<{ abort(): void }>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: pickProtocol });
  // ws refuses "/" and "+" in a sub-protocol token, so the tunnel's is negotiated by hand (see upgrade()).
  const tunnels = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  tunnels.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${PROTOCOL_PORTFORWARD_TUNNEL}`));

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handleRequest(o, req, res).catch((e: Error) => plain(res, e instanceof HttpError ? e.code : 500, e.message));
  });
  // Upgraded connections outlive the HTTP server's bookkeeping: close() destroys them itself.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    upgrade(o, { wss, tunnels, sessions }, req, socket, head).catch((e: Error) => {
      if (e instanceof HttpError) refuse(socket, e.code, e.message);
      else {
        o.log(`streaming ${req.url}: ${e.message}`);
        refuse(socket, 500, e.message);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : o.port,
    async close() {
      for (const s of sessions) s.abort();
      for (const socket of upgraded) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function pickProtocol(offered: Set<string>): string | false {
  for (const p of [PROTOCOL_V5, PROTOCOL_V4]) if (offered.has(p)) return p;
  return false;
}

function plain(res: ServerResponse, code: number, text: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function refuse(socket: Duplex, code: number, text: string): void {
  const body = Buffer.from(text);
  socket.end(
    `HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : code === 400 ? 'Bad Request' : code === 403 ? 'Forbidden' : 'Error'}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${text}`,
  );
}

function podOf(o: StreamingServerOptions, route: StreamingRoute) {
  const found = o.pods.lookup(route.namespace, route.pod);
  if (!found) throw new HttpError(404, `pod does not exist`);
  return found;
}

async function handleRequest(o: StreamingServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://node');
  if (url.pathname === '/healthz') return plain(res, 200, 'ok');
  const route = parseRoute(url.pathname);
  if (!route) return plain(res, 404, '404 page not found');
  if (route.kind !== 'containerLogs') return plain(res, 400, 'Upgrade request required');
  if (req.method !== 'GET') return plain(res, 405, 'method not allowed');
  const options = logOptionsFromQuery(url.searchParams);
  if (typeof options === 'string') return plain(res, 400, options);
  const { pod } = podOf(o, route);
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const chosen = logAttempt(
    all.find((s) => s.name === route.container),
    route.container,
    route.pod,
    options.previous,
  );
  if ('error' in chosen) return plain(res, 400, chosen.error);
  await serveLogs(res, o.pods.attemptDir(pod.metadata.uid!, route.container, chosen.attempt), options);
}

interface Upgraders {
  wss: WebSocketServer;
  tunnels: WebSocketServer;
  sessions: Set<{ abort(): void }>;
}

async function upgrade(
  o: StreamingServerOptions,
  u: Upgraders,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://node');
  const route = parseRoute(url.pathname);
  if (!route || route.kind === 'containerLogs') throw new HttpError(404, '404 page not found');
  const { pod, sandbox } = podOf(o, route);
  const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const offered = headerList(req.headers['sec-websocket-protocol']);
  const spdyOffered = headerList(req.headers['x-stream-protocol-version']);

  if (route.kind === 'portForward') {
    if (!sandbox?.alive) throw new HttpError(400, `pod ${route.pod} is not running`);
    const target: ForwardTarget = { netns: sandbox.netns, podName: route.pod, podUid: pod.metadata.uid! };
    if (websocket && offered.includes(PROTOCOL_PORTFORWARD_TUNNEL)) {
      delete req.headers['sec-websocket-protocol'];
      u.tunnels.handleUpgrade(req, socket, head, (ws) => {
        const session = tunnelSession(ws, socket);
        track(
          u,
          () => session.close(),
          (cb) => session.on('close', cb),
        );
        servePortForwardSpdy(session, target);
      });
      return;
    }
    if (websocket) {
      const ports = parsePorts(url.searchParams.getAll('port'));
      if (!Array.isArray(ports) || ports.length === 0)
        throw new HttpError(400, Array.isArray(ports) ? 'query parameter "port" is required' : ports.error);
      u.wss.handleUpgrade(req, socket, head, (ws) => {
        track(
          u,
          () => ws.terminate(),
          (cb) => ws.on('close', cb),
        );
        servePortForwardChannels(ws, target, ports);
      });
      return;
    }
    const session = spdyUpgrade(req, socket, head, spdyOffered, [SPDY_PORTFORWARD]);
    track(
      u,
      () => session.close(),
      (cb) => session.on('close', cb),
    );
    servePortForwardSpdy(session, target);
    return;
  }

  // exec / attach
  const opts = parseNodeCommand(url.searchParams, route.container);
  if ('error' in opts) throw new HttpError(400, opts.error);
  const running = runningContainer(sandbox, route.container);
  if ('error' in running) throw new HttpError(404, running.error);
  const spec = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === route.container);
  const dir = o.pods.attemptDir(pod.metadata.uid!, route.container, running.attempt);
  const run = (io: CommandIO) => {
    track(
      u,
      () => io.abort(),
      (cb) => io.on('end', cb),
    );
    const work =
      route.kind === 'exec'
        ? runExec(io, (command, tty) =>
            o.pods.execArgv(pod.metadata.uid!, route.container, running.attempt, running.pid, command, tty),
          )
        : runAttach(io, { dir, stdin: !!spec?.stdin, stdinOnce: !!spec?.stdinOnce, tty: !!spec?.tty });
    work.catch((e: Error) => io.finish(internalErrorStatus(e.message)));
  };
  if (websocket) {
    if (!offered.some((p) => p === PROTOCOL_V5 || p === PROTOCOL_V4))
      throw new HttpError(
        400,
        `unsupported WebSocket sub-protocol; this node speaks ${PROTOCOL_V5} and ${PROTOCOL_V4}`,
      );
    u.wss.handleUpgrade(req, socket, head, (ws) => {
      heartbeat(ws);
      run(new WebSocketCommandIO(ws, opts));
    });
    return;
  }
  const session = spdyUpgrade(req, socket, head, spdyOffered, [SPDY_REMOTECOMMAND_V4]);
  run(await spdyCommandIO(session, adjustForSpdy(opts)));
}

/** The SPDY client opens no stderr stream with a tty: match what it will create. */
function adjustForSpdy(o: CommandOptions): CommandOptions {
  return o.tty ? { ...o, stderr: false } : o;
}

function headerList(v: string | string[] | undefined): string[] {
  return (Array.isArray(v) ? v : [v ?? ''])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Answers a SPDY/3.1 upgrade (101 with the chosen X-Stream-Protocol-Version) and starts the session. */
function spdyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  offered: string[],
  supported: string[],
): SpdySession {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') throw new HttpError(400, 'unsupported upgrade');
  if (offered.length === 0) throw new HttpError(400, 'unable to upgrade: X-Stream-Protocol-Version is required');
  // kubectl offers v5 first; over SPDY v5 is v4 (the stdin close is a FIN there).
  const chosen = supported.find(
    (s) => offered.includes(s) || (s === SPDY_REMOTECOMMAND_V4 && offered.includes(PROTOCOL_V5)),
  );
  if (!chosen)
    throw new HttpError(
      403,
      `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(supported)}`,
    );
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${chosen}\r\n\r\n`,
  );
  const s = socket as Duplex & { writableLength: number; setNoDelay?(on: boolean): void };
  s.setNoDelay?.(true);
  const write = (b: Buffer) => {
    if (!socket.write(b)) socket.once('drain', () => session.emit('drain'));
  };
  const session = new SpdySession(
    {
      write,
      writev: (list) => corked(socket, () => list.forEach(write)),
      end: () => socket.end(),
      congested: () => s.writableLength > 1 << 20,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    },
    undefined,
    SPDY_IDLE_MS,
  );
  if (head.length) session.receive(head);
  socket.on('data', (b: Buffer) => session.receive(b));
  socket.on('close', () => session.transportClosed());
  return session;
}

/** Writes what fn writes to socket as one writev (for TLS: one encryption pass and one syscall). */
function corked(socket: Duplex, fn: () => void): void {
  socket.cork();
  try {
    fn();
  } finally {
    socket.uncork();
  }
}

/**
 * kubectl's port-forward tunnel: the WebSocket's binary messages are one
 * byte stream of SPDY frames. A DATA frame goes out as two messages (its
 * header, its payload: no copy of the payload), written to the socket
 * together.
 */
function tunnelSession(ws: WebSocket, socket: Duplex): SpdySession {
  let pending = 0;
  const write = (b: Buffer) => {
    pending += b.length;
    ws.send(b, { binary: true }, () => {
      pending -= b.length;
      if (pending < 1 << 20) session.emit('drain');
    });
  };
  const session = new SpdySession({
    write,
    writev: (list) => corked(socket, () => list.forEach(write)),
    end: () => ws.close(1000),
    congested: () => pending >= 1 << 20,
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  });
  ws.on('message', (b: Buffer) => session.receive(b));
  ws.on('close', () => session.transportClosed());
  ws.on('error', () => ws.terminate());
  heartbeat(ws);
  return session;
}

/** Pings a WebSocket client; one that misses a pong is terminated (its session then ends). */
export function heartbeat(ws: WebSocket): void {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, WS_PING_MS);
  ws.on('close', () => clearInterval(timer));
}

/** Sessions open now, so close() can end them. */
function track(u: Upgraders, abort: () => void, onDone: (cb: () => void) => void): void {
  const entry = { abort };
  u.sessions.add(entry);
  onDone(() => u.sessions.delete(entry));
}

/**
 * port-forward: TCP connections into the pod's own network namespace (so a
 * server listening only on the pod's 127.0.0.1 is reached too), one socat
 * per connection entered into the pod's netns, as containerd once did.
 *
 * Two framings: kubectl's SPDY (plain or tunnelled in WebSocket messages),
 * where each local connection is a pair of streams (error + data) with the
 * same requestid; and the channel protocol (v4.channel.k8s.io, the JS
 * client's), one connection per WebSocket with data/error channels per port.
 * When the session ends every relay is killed.
 */
import type { ChildProcess } from 'node:child_process';
import type { WebSocket } from 'ws';
import { killGroup, netnsPath, spawnProcess } from '../../host/exec.js';
import { decodeChannel, encodeChannel, portPrefix } from '../../streaming/channel.js';
import { parseStreamPort } from '../../streaming/options.js';
import type { SpdySession, SpdyStream } from '../../streaming/spdy/session.js';
import { DEFAULT_PATH } from '../runtime/shim.js';
import { STREAM_CREATION_TIMEOUT_MS } from './command-io.js';

export interface ForwardTarget {
  /** The pod's netns name; undefined for hostNetwork pods (the node's own). */
  netns?: string;
  podName: string;
  podUid: string;
}

/** A relay: stdin/stdout of socat are the bytes of one TCP connection to 127.0.0.1:port in the pod. */
export function dial(t: ForwardTarget, port: number): ChildProcess {
  const socat = ['socat', '-', `TCP4:127.0.0.1:${port}`];
  const argv = t.netns ? ['nsenter', `--net=${netnsPath(t.netns)}`, '--', ...socat] : socat;
  return spawnProcess(argv, { env: { PATH: DEFAULT_PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
}

const errorText = (t: ForwardTarget, port: number, why: string) =>
  `error forwarding port ${port} to pod ${t.podName}, uid ${t.podUid}: ${why}`;

/** Pipes a relay both ways; calls onError with socat's complaint when it fails, onEnd when the pod side closes. */
function relay(
  p: ChildProcess,
  send: (b: Buffer) => void,
  onEnd: () => void,
  onError: (why: string) => void,
  congested: () => boolean,
  drained: (cb: () => void) => void,
): { write(b: Buffer): void; end(): void } {
  const errs: Buffer[] = [];
  p.stderr?.on('data', (b: Buffer) => errs.push(b));
  p.stdout?.on('data', (b: Buffer) => {
    send(b);
    if (congested()) {
      p.stdout?.pause();
      drained(() => p.stdout?.resume());
    }
  });
  p.stdin?.on('error', () => {
    /* socat is gone: its exit is reported below */
  });
  p.on('error', (e) => onError(e.message));
  p.on('close', (code) => {
    const text = Buffer.concat(errs).toString().trim();
    if (code !== 0 && text) onError(text.replace(/^.*? E /, ''));
    else onEnd();
  });
  return { write: (b) => p.stdin?.write(b), end: () => p.stdin?.end() };
}

/** kubectl's port-forward over SPDY: pairs of streams, paired by requestid. */
export function servePortForwardSpdy(session: SpdySession, t: ForwardTarget): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream; timer: NodeJS.Timeout }>();
  const relays = new Set<ChildProcess>();
  session.on('close', () => {
    for (const p of relays) killGroup(p.pid);
    for (const pair of pairs.values()) clearTimeout(pair.timer);
  });
  session.on('stream', (s: SpdyStream) => {
    const type = s.header('streamtype');
    // The kubelet derives a missing requestid from the stream ids (error = data + 2).
    const id = s.header('requestid') ?? String(type === 'error' ? s.id : s.id + 2);
    if (type !== 'error' && type !== 'data') {
      s.abort();
      return;
    }
    let pair = pairs.get(id);
    if (!pair) {
      const timer = setTimeout(() => {
        const p = pairs.get(id);
        pairs.delete(id);
        p?.error?.end(Buffer.from(`(request=${id}) timed out waiting for streams`));
        p?.data?.abort();
      }, STREAM_CREATION_TIMEOUT_MS);
      pair = { timer };
      pairs.set(id, pair);
    }
    if (pair[type]) {
      s.abort();
      return;
    }
    pair[type] = s;
    if (!pair.error || !pair.data) return;
    clearTimeout(pair.timer);
    pairs.delete(id);
    const { error, data } = pair;
    const port = parseStreamPort(data.header('port'));
    if (typeof port !== 'number') {
      error.end(Buffer.from(port.error));
      data.abort();
      return;
    }
    const p = dial(t, port);
    relays.add(p);
    p.on('close', () => relays.delete(p));
    const r = relay(
      p,
      (b) => data.write(b),
      () => {
        data.end();
        error.end();
      },
      (why) => {
        error.end(Buffer.from(errorText(t, port, why)));
        data.end();
      },
      () => session.congested(),
      (cb) => session.once('drain', cb),
    );
    data.on('data', (b: Buffer) => r.write(b));
    data.on('end', () => r.end());
    data.on('reset', () => killGroup(p.pid));
  });
}

/** The JS client's port-forward: v4.channel.k8s.io, one TCP connection per WebSocket. */
export function servePortForwardChannels(ws: WebSocket, t: ForwardTarget, ports: number[]): void {
  const relays: { write(b: Buffer): void; end(): void }[] = [];
  const procs: ChildProcess[] = [];
  let pending = 0;
  const drainWaiters: (() => void)[] = [];
  const send = (b: Buffer) => {
    pending += b.length;
    ws.send(b, { binary: true }, () => {
      pending -= b.length;
      if (pending < 1 << 20) drainWaiters.splice(0).forEach((cb) => cb());
    });
  };
  ports.forEach((port, i) => {
    send(portPrefix(2 * i, port));
    send(portPrefix(2 * i + 1, port));
    const p = dial(t, port);
    procs.push(p);
    relays.push(
      relay(
        p,
        (b) => send(encodeChannel(2 * i, b)),
        () => ws.close(1000),
        (why) => {
          send(encodeChannel(2 * i + 1, errorText(t, port, why)));
          ws.close(1000);
        },
        () => pending >= 1 << 20,
        (cb) => drainWaiters.push(cb),
      ),
    );
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    const m = decodeChannel(data, false);
    if (m.kind !== 'data' || m.channel % 2 !== 0) return;
    relays[m.channel / 2]?.write(m.payload);
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => procs.forEach((p) => killGroup(p.pid)));
}

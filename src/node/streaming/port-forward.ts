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
import { whenWritable } from './flow.js';

export interface ForwardTarget {
  /** The pod's netns name; undefined for hostNetwork pods (the node's own). */
  netns?: string;
  podName: string;
  podUid: string;
}

/** A relay: stdin/stdout of socat are the bytes of one TCP connection to 127.0.0.1:port in the pod. */
export function dial(t: ForwardTarget, port: number): ChildProcess {
  // -t: after one side's EOF the other may still talk (a half-closed request awaiting its answer);
  // the relay is killed anyway when its stream is reset or the session ends.
  // -b: read 64 KiB at a time (socat's 8 KiB default makes four times the frames to encode and encrypt).
  const socat = ['socat', '-b', '65536', '-t', String(HALF_CLOSE_SECONDS), '-', `TCP4:127.0.0.1:${port}`];
  const argv = t.netns ? ['nsenter', `--net=${netnsPath(t.netns)}`, '--', ...socat] : socat;
  return spawnProcess(argv, { env: { PATH: DEFAULT_PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
}

const HALF_CLOSE_SECONDS = 300;

/**
 * socat's complaint when the connection into the pod could not be made
 * (the kubelet reports only that on the error stream: a reset or broken
 * pipe later is the pod closing, and kubectl ends the whole port-forward on
 * any error text).
 */
export function dialFailure(stderr: string): string | undefined {
  const m = /E (connect\(.*)$/m.exec(stderr);
  return m?.[1]?.trim();
}

const errorText = (t: ForwardTarget, port: number, why: string) =>
  `error forwarding port ${port} to pod ${t.podName}, uid ${t.podUid}: ${why}`;

interface Relay {
  write(b: Buffer): boolean;
  end(): void;
  drained(cb: () => void): void;
}

/**
 * Pipes a relay both ways: onOutputEnd when the pod closed its half (passed
 * on at once; socat lingers for the other direction), onExit when the relay
 * is gone, with socat's complaint when the connection could not be made.
 */
function relay(
  p: ChildProcess,
  send: (b: Buffer) => void,
  onOutputEnd: () => void,
  onExit: (dialError: string | undefined) => void,
  congested: () => boolean,
  drained: (cb: () => void) => void,
): Relay {
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
  let exited = false;
  const exit = (why: string | undefined) => {
    if (exited) return;
    exited = true;
    onExit(why);
  };
  p.on('error', (e) => exit(e.message));
  p.on('close', () => exit(dialFailure(Buffer.concat(errs).toString())));
  p.stdout?.on('end', () => {
    // A failed dial also ends stdout; that one is reported by exit with its reason.
    if (!dialFailure(Buffer.concat(errs).toString())) onOutputEnd();
  });
  return {
    // false: the relay's pipe is full; the caller holds its input until 'drain'.
    write: (b) => (p.stdin?.writable ? p.stdin.write(b) : true),
    end: () => p.stdin?.end(),
    drained: (cb: () => void) => whenWritable(p.stdin, cb, p),
  };
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
      () => data.end(),
      (why) => {
        if (why) error.end(Buffer.from(errorText(t, port, why)));
        else error.end();
        data.end();
      },
      () => session.congested(),
      (cb) => session.once('drain', cb),
    );
    data.on('data', (b: Buffer) => {
      if (!r.write(b)) r.drained(session.hold());
    });
    data.on('end', () => r.end());
    data.on('reset', () => killGroup(p.pid));
  });
}

/** The JS client's port-forward: v4.channel.k8s.io, one TCP connection per WebSocket. */
export function servePortForwardChannels(ws: WebSocket, t: ForwardTarget, ports: number[]): void {
  const relays: Relay[] = [];
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
          if (why) send(encodeChannel(2 * i + 1, errorText(t, port, why)));
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
    const r = relays[m.channel / 2];
    if (r && !r.write(m.payload)) {
      ws.pause();
      r.drained(() => ws.resume());
    }
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => procs.forEach((p) => killGroup(p.pid)));
}

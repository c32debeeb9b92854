/**
 * port-forward: the two framings that carry TCP connections into a pod
 * (pod-connection.ts makes the connections). kubectl's SPDY (plain or
 * tunnelled in WebSocket messages), where each local connection is a pair
 * of streams (error + data) with the same requestid; and the channel
 * protocol (v4.channel.k8s.io, the JS client's), one connection per
 * WebSocket with data/error channels per port. When the session ends every
 * connection is torn down.
 */
import type { WebSocket } from 'ws';
import { decodeChannel, encodeChannel, portPrefix } from '../../streaming/channel.js';
import { parseStreamPort } from '../../streaming/options.js';
import type { SpdySession, SpdyStream } from '../../streaming/spdy/session.js';
import { STREAM_CREATION_TIMEOUT_MS } from './command-io.js';
import { connectToPod, type ForwardTarget, type PodConnection } from './pod-connection.js';

const errorText = (t: ForwardTarget, port: number, why: string) =>
  `error forwarding port ${port} to pod ${t.podName}, uid ${t.podUid}: ${why}`;

/** kubectl's port-forward over SPDY: pairs of streams, paired by requestid. */
export function servePortForwardSpdy(session: SpdySession, t: ForwardTarget): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream; timer: NodeJS.Timeout }>();
  const connections = new Set<PodConnection>();
  session.on('close', () => {
    for (const c of connections) c.close();
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
    const c = connectToPod(t, port, {
      data: (b) => data.write(b),
      outputEnd: () => data.end(),
      exit(why) {
        connections.delete(c);
        if (why) error.end(Buffer.from(errorText(t, port, why)));
        else error.end();
        data.end();
      },
      congested: () => session.congested(),
      drained: (cb) => session.once('drain', cb),
    });
    connections.add(c);
    data.on('data', (b: Buffer) => {
      if (!c.write(b)) c.drained(session.hold());
    });
    data.on('end', () => c.end());
    data.on('reset', () => c.close());
  });
}

/** The JS client's port-forward: v4.channel.k8s.io, one TCP connection per WebSocket. */
export function servePortForwardChannels(ws: WebSocket, t: ForwardTarget, ports: number[]): void {
  const connections: PodConnection[] = [];
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
    connections.push(
      connectToPod(t, port, {
        data: (b) => send(encodeChannel(2 * i, b)),
        outputEnd: () => ws.close(1000),
        exit(why) {
          if (why) send(encodeChannel(2 * i + 1, errorText(t, port, why)));
          ws.close(1000);
        },
        congested: () => pending >= 1 << 20,
        drained: (cb) => drainWaiters.push(cb),
      }),
    );
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    const m = decodeChannel(data, false);
    if (m.kind !== 'data' || m.channel % 2 !== 0) return;
    const c = connections[m.channel / 2];
    if (c && !c.write(m.payload)) {
      ws.pause();
      c.drained(() => ws.resume());
    }
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => connections.forEach((c) => c.close()));
}

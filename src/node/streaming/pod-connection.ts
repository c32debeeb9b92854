/**
 * One TCP connection to 127.0.0.1:port inside a pod's own network namespace
 * (so a server listening only on the pod's loopback is reached too), as
 * port-forward carries it. In-process when the native module is built (a
 * socket created in the pod's namespace, as containerd does); otherwise one
 * socat per connection entered into the namespace.
 */
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { killGroup, netnsPath, spawnProcess } from '../../host/exec.js';
import { canDialInNetns, dialLoopback } from '../../host/netns-socket.js';
import { DEFAULT_PATH } from '../runtime/shim.js';
import { whenWritable } from './flow.js';

export interface ForwardTarget {
  /** The pod's netns name; undefined for hostNetwork pods (the node's own). */
  netns?: string;
  podName: string;
  podUid: string;
}

/** What a connection reports to the framing that carries it. */
interface PodConnectionEvents {
  /** Bytes from the pod. */
  data(b: Buffer): void;
  /** The pod closed its half; the other direction may still carry data. */
  outputEnd(): void;
  /** The connection is gone; with the reason when it could not be made. */
  exit(dialError: string | undefined): void;
  /** The client's side is full: reading from the pod pauses until drained calls back. */
  congested(): boolean;
  drained(cb: () => void): void;
}

export interface PodConnection {
  /** false: the connection is full; hold the client's input until drained calls back. */
  write(b: Buffer): boolean;
  drained(cb: () => void): void;
  /** The client closed its half. */
  end(): void;
  /** Tear down now (the stream was reset or the session ended). */
  close(): void;
}

export function connectToPod(t: ForwardTarget, port: number, on: PodConnectionEvents): PodConnection {
  return t.netns === undefined || canDialInNetns() ? socketConnection(t, port, on) : relayConnection(t, port, on);
}

/** Input the client sends while the connection is being made, beyond which it is held back. */
const CONNECTING_BUFFER_BYTES = 1 << 20;

function socketConnection(t: ForwardTarget, port: number, on: PodConnectionEvents): PodConnection {
  let socket: Socket | undefined;
  let closed = false;
  let ended = false;
  const queued: Buffer[] = [];
  let queuedBytes = 0;
  const waiters: (() => void)[] = [];
  dialLoopback(t.netns, port).then(
    (s) => {
      if (closed) return void s.destroy();
      socket = s;
      for (const b of queued.splice(0)) s.write(b);
      queuedBytes = 0;
      if (ended) s.end();
      for (const cb of waiters.splice(0)) whenWritable(s, cb);
      s.on('data', (b: Buffer) => {
        on.data(b);
        if (on.congested()) {
          s.pause();
          on.drained(() => s.resume());
        }
      });
      s.on('end', () => on.outputEnd());
      s.on('error', () => {
        /* a reset by the pod: the connection's end, reported by 'close' */
      });
      s.on('close', () => on.exit(undefined));
    },
    (e: Error) => {
      for (const cb of waiters.splice(0)) cb();
      if (!closed) on.exit(e.message);
    },
  );
  return {
    write(b) {
      if (socket) return socket.write(b);
      queued.push(b);
      queuedBytes += b.length;
      return queuedBytes < CONNECTING_BUFFER_BYTES;
    },
    drained: (cb) => (socket ? whenWritable(socket, cb) : waiters.push(cb)),
    end() {
      ended = true;
      socket?.end();
    },
    close() {
      closed = true;
      socket?.destroy();
    },
  };
}

/** socat with stdin/stdout as the bytes of the connection. */
function relayConnection(t: ForwardTarget, port: number, on: PodConnectionEvents): PodConnection {
  // -t: after one side's EOF the other may still talk (a half-closed request awaiting its answer);
  // the relay is killed anyway when its stream is reset or the session ends.
  // -b: read 64 KiB at a time (socat's 8 KiB default makes four times the frames to encode and encrypt).
  const socat = ['socat', '-b', '65536', '-t', String(HALF_CLOSE_SECONDS), '-', `TCP4:127.0.0.1:${port}`];
  const argv = ['nsenter', `--net=${netnsPath(t.netns!)}`, '--', ...socat];
  const p = spawnProcess(argv, { env: { PATH: DEFAULT_PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
  pipeRelay(p, on);
  return {
    // false: the relay's pipe is full; the caller holds its input until 'drain'.
    write: (b) => (p.stdin?.writable ? p.stdin.write(b) : true),
    drained: (cb) => whenWritable(p.stdin, cb, p),
    end: () => p.stdin?.end(),
    close: () => killGroup(p.pid),
  };
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

function pipeRelay(p: ChildProcess, on: PodConnectionEvents): void {
  const errs: Buffer[] = [];
  p.stderr?.on('data', (b: Buffer) => errs.push(b));
  p.stdout?.on('data', (b: Buffer) => {
    on.data(b);
    if (on.congested()) {
      p.stdout?.pause();
      on.drained(() => p.stdout?.resume());
    }
  });
  p.stdin?.on('error', () => {
    /* socat is gone: its exit is reported below */
  });
  let exited = false;
  const exit = (why: string | undefined) => {
    if (exited) return;
    exited = true;
    on.exit(why);
  };
  p.on('error', (e) => exit(e.message));
  p.on('close', () => exit(dialFailure(Buffer.concat(errs).toString())));
  p.stdout?.on('end', () => {
    // A failed dial also ends stdout; that one is reported by exit with its reason.
    if (!dialFailure(Buffer.concat(errs).toString())) on.outputEnd();
  });
}

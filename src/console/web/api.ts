/**
 * The browser's way to the API server, through the console, always with
 * the user's token: reads, streamed watches and logs, terminal sockets.
 */
import { bearerProtocol, TERMINAL_PROTOCOLS } from './channel.js';
import type { KubeObject } from './objects.js';

export class Unauthorized extends Error {}

/** The sub-protocol of a watch over WebSocket (src/console/watch-relay.ts). */
const WATCH_PROTOCOL = 'watch.console.podnet.io';

function socketUrl(path: string): URL {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number; message?: string };
}

export class Api {
  constructor(
    readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  private async fetch(path: string, signal?: AbortSignal): Promise<Response> {
    const res = await fetch(path, {
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
      ...(signal ? { signal } : {}),
    });
    if (res.status === 401) {
      this.onUnauthorized();
      throw new Unauthorized('the API server does not accept this token');
    }
    return res;
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const res = await this.fetch(path, signal);
    const body = (await res.json()) as T & { message?: string };
    if (!res.ok) throw new Error(body.message ?? `${path}: ${res.status}`);
    return body;
  }

  /** Calls onText with each decoded piece of a streamed response (a followed log). */
  async chunks(path: string, onText: (text: string, done: boolean) => void, signal: AbortSignal): Promise<void> {
    const res = await this.fetch(path, signal);
    if (!res.ok || !res.body) {
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      throw new Error(body.message ?? `${path}: ${res.status}`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return onText(decoder.decode(), true);
      onText(decoder.decode(value, { stream: true }), false);
    }
  }

  /** A WebSocket to pods/exec or pods/attach (path with query), the token in a sub-protocol. */
  terminal(path: string): WebSocket {
    const ws = new WebSocket(socketUrl(path), [...TERMINAL_PROTOCOLS, bearerProtocol(this.token)]);
    ws.binaryType = 'arraybuffer';
    return ws;
  }

  /**
   * A watch (path with watch=1) over a WebSocket, one event per message, so
   * open watches do not take up the browser's few HTTP connections per host.
   * Resolves when the watch ends; rejects when it is refused or onLine throws.
   */
  watch(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(socketUrl(path), [WATCH_PROTOCOL, bearerProtocol(this.token)]);
      const abort = () => ws.close();
      signal.addEventListener('abort', abort, { once: true });
      let opened = false;
      let failed: Error | undefined;
      ws.onopen = () => (opened = true);
      ws.onmessage = (m: MessageEvent<unknown>) => {
        if (typeof m.data !== 'string' || !m.data || failed) return;
        try {
          onLine(m.data);
        } catch (e) {
          failed = e as Error;
          ws.close();
        }
      };
      ws.onclose = () => {
        signal.removeEventListener('abort', abort);
        if (failed) reject(failed);
        else if (opened || signal.aborted) resolve();
        else reject(new Error('the console refused the watch'));
      };
    });
  }
}

/**
 * The browser's way to the API server, through the console, always with
 * the user's token: reads, streamed watches and logs, terminal sockets.
 */
import { bearerProtocol, TERMINAL_PROTOCOLS } from './channel.js';
import type { KubeObject } from './objects.js';

export class Unauthorized extends Error {}

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

  /** Calls onLine for every complete line of a streamed response until it ends or signal aborts. */
  async lines(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    await this.chunks(
      path,
      (() => {
        let rest = '';
        return (text: string, done: boolean) => {
          rest += text;
          const lines = rest.split('\n');
          rest = done ? '' : lines.pop()!;
          for (const l of lines) if (l.trim()) onLine(l);
        };
      })(),
      signal,
    );
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
    const url = new URL(path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, [...TERMINAL_PROTOCOLS, bearerProtocol(this.token)]);
    ws.binaryType = 'arraybuffer';
    return ws;
  }
}

/** Splits a watch response (one JSON object per line, chunked) into events. */
import type { IncomingMessage, ClientRequest } from 'node:http';
import type { KObject, WatchEvent } from '../api/meta.js';

/** A running watch: iterate it for events; close() ends it (the iteration then finishes). */
export interface WatchStream<T = KObject> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

/**
 * Wraps a 2xx watch response. Iteration ends when the server ends the
 * response (e.g. timeoutSeconds elapsed) or close() is called; a broken
 * connection ends it with the socket error. ERROR events are yielded as they
 * come, with their Status as the object.
 */
export function watchStream<T>(req: ClientRequest, res: IncomingMessage): WatchStream<T> {
  let closed = false;
  return {
    close() {
      closed = true;
      req.destroy();
      res.destroy();
    },
    async *[Symbol.asyncIterator]() {
      res.setEncoding('utf8');
      let buf = '';
      try {
        for await (const chunk of res as AsyncIterable<string>) {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) yield JSON.parse(line) as WatchEvent<T>;
          }
        }
        if (buf.trim()) yield JSON.parse(buf) as WatchEvent<T>;
      } catch (e) {
        if (!closed) throw e;
      } finally {
        if (!res.complete) req.destroy();
      }
    },
  };
}

/**
 * A byte relay between two connections (the API server's upgraded streams:
 * the client's TLS socket and the node's). Unlike stream.pipe it writes the
 * chunks that arrive in one turn of the event loop as one write: a TLS
 * socket delivers at most 16 KiB per 'data' event, and writing each on its
 * own makes one TLS flush and one syscall per record; corked until the turn
 * ends they leave as one writev. It also lets a megabyte queue before it
 * stops reading, where pipe pauses and resumes the source around every
 * chunk (a 16 KiB high-water mark).
 */
import type { Duplex } from 'node:stream';

/** Bytes queued towards a slow side before the other side is no longer read. */
const RELAY_QUEUE_BYTES = 1 << 20;

/** Copies src into dst until src ends (then ends dst's writing half); back-pressure from dst pauses src. */
export function relay(src: Duplex, dst: Duplex, queueBytes = RELAY_QUEUE_BYTES): void {
  let corked = false;
  let held = false;
  const flush = () => {
    corked = false;
    dst.uncork();
  };
  const release = () => {
    held = false;
    src.resume();
  };
  src.on('data', (chunk: Buffer) => {
    if (dst.destroyed || dst.writableEnded) return;
    if (!corked) {
      corked = true;
      dst.cork();
      setImmediate(flush);
    }
    dst.write(chunk);
    // Past the high-water mark write() has returned false, so 'drain' will come once dst empties.
    if (!held && dst.writableLength >= Math.max(queueBytes, dst.writableHighWaterMark)) {
      held = true;
      src.pause();
      dst.once('drain', release);
    }
  });
  src.on('end', () => {
    // An ending writable emits no 'drain': nothing is left to read anyway.
    dst.off('drain', release);
    if (!dst.destroyed && !dst.writableEnded) dst.end();
  });
}

/** Relays both ways. */
export function relayBoth(a: Duplex, b: Duplex, queueBytes = RELAY_QUEUE_BYTES): void {
  relay(a, b, queueBytes);
  relay(b, a, queueBytes);
}

/**
 * The UDP side of podnet dns over the native batch socket
 * (src/native/udp_batch.c, built by node-gyp at install): one wakeup reads
 * up to 64 datagrams, one JS call answers those the synchronous paths can
 * (direct answers, the answer cache) into the shared reply buffer, and one
 * sendmmsg sends them. Node's dgram pays a JS callback, a receive buffer
 * and a send request per datagram, which was most of podnet dns's CPU.
 * Questions that need the full path are answered later with one sendto.
 */
import { BATCH_ADDR_BYTES, BATCH_SLOT_BYTES, loadNative } from '../../native/native.js';
import type { DnsHandler } from './handler.js';
import type { UdpServer } from './udp-dgram.js';
import { error } from '../../log/log.js';

const SLOT = BATCH_SLOT_BYTES;
const ADDR = BATCH_ADDR_BYTES;

export function startBatchedUdp(
  handler: DnsHandler,
  host: string,
  port: number,
  log: (m: string) => void,
): Promise<UdpServer> {
  const mod = loadNative();
  if (!mod) throw new Error('the native UDP module is not built (run "npm install" with a C compiler)');
  const onBatch = (count: number): void => {
    const { data, lengths, addrs, replies, replyLengths } = bufs;
    for (let i = 0; i < count; i++) {
      const at = i * SLOT;
      const req = data.subarray(at, at + lengths[i]!);
      const fast = handler.answerFast(req, false);
      if (fast) {
        if (fast.length <= SLOT) {
          replies.set(fast, at);
          replyLengths[i] = fast.length;
        } // set(), not copy(): no view allocated
        continue;
      }
      const addr = Buffer.from(addrs.subarray(i * ADDR, (i + 1) * ADDR));
      handler.handle(Buffer.from(req), addressText(addr), false).then(
        (out) => {
          if (out) sock.sendTo(out, addr);
        },
        (e: Error) => error(log, `internal error answering ${addressText(addr)}: ${e.stack ?? e.message}`),
      );
    }
  };
  const sock = mod.open(host, port, onBatch);
  const b = sock.buffers();
  const bufs = {
    data: Buffer.from(b.data),
    lengths: b.lengths,
    addrs: Buffer.from(b.addrs),
    replies: Buffer.from(b.replies),
    replyLengths: b.replyLengths,
  };
  return Promise.resolve({
    port: sock.port(),
    close: () => {
      sock.close();
      return Promise.resolve();
    },
  });
}

/** The client's address as text, as dgram would give it ("10.0.0.1", "fd00::1"). */
export function addressText(addr: Uint8Array): string {
  if (addr[0] === 4) return `${addr[4]}.${addr[5]}.${addr[6]}.${addr[7]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((addr[4 + 2 * i]! << 8) | addr[5 + 2 * i]!);
  // RFC 5952: the longest run (2+) of zero groups becomes "::".
  let best = -1,
    bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

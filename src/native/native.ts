/**
 * The one loader of podnet's native module (module.c: udp_batch.c,
 * netfilter.c, netns_dial.c; built by node-gyp at install). Everything in it is an optimisation with a portable
 * fallback, so a missing module (not Linux, no compiler at install) is
 * undefined here, never an error.
 */
import { createRequire } from 'node:module';

/** A datagram's room in a batch socket's buffers (SLOT in udp_batch.c; longer datagrams are cut). */
export const BATCH_SLOT_BYTES = 4096;
/** A datagram's address record in them (ADDR in udp_batch.c). */
export const BATCH_ADDR_BYTES = 20;

interface BatchBuffers {
  data: ArrayBuffer;
  lengths: Int32Array;
  addrs: ArrayBuffer;
  replies: ArrayBuffer;
  replyLengths: Int32Array;
}
interface BatchSocket {
  port(): number;
  buffers(): BatchBuffers;
  sendTo(reply: Buffer, address: Buffer): number;
  close(): void;
}
interface NativeModule {
  open(host: string, port: number, onBatch: (count: number) => void): BatchSocket;
  /** One nfnetlink batch; resolves with the messages the kernel refused (empty: committed). */
  netfilterBatch?(batch: Uint8Array, acks: number): Promise<{ seq: number; errno: number; message: string }[]>;
  /** A TCP connection to 127.0.0.1:port inside the network namespace at netnsPath; resolves with its fd. */
  dialInNetns?(netnsPath: string, port: number): Promise<number>;
  /** Returns the C heap's free pages to the kernel (glibc malloc_trim); false when nothing was released. */
  trimMalloc(): boolean;
}

let native: NativeModule | null | undefined;

export function loadNative(): NativeModule | undefined {
  if (native === undefined) {
    try {
      native = createRequire(import.meta.url)('../../build/Release/podnet_native.node') as NativeModule;
    } catch {
      native = null;
    }
  }
  return native ?? undefined;
}

/**
 * nfnetlink transactions sent from this process (src/native/netfilter.c),
 * the one other door to the kernel beside exec.ts: for a change too big to
 * print as text for nft to parse again. Runs in this process's network
 * namespace, as the nft that exec.ts would start does.
 */
import { loadNative } from '../native/native.js';
import { traceHostCommands, traceLine } from './exec.js';

/** A message of the batch the kernel refused: the whole transaction was then dropped. */
export interface NetfilterRefusal {
  seq: number;
  errno: number;
  message: string;
}

/** Off with PODNET_NFT_NETLINK=off (everything through nft, to compare). */
export function netfilterAvailable(): boolean {
  return process.env['PODNET_NFT_NETLINK'] !== 'off' && loadNative()?.netfilterBatch !== undefined;
}

/** Sends one batch and waits for the kernel's answer to each of its `acks` acknowledged messages. */
export async function sendNetfilterBatch(bytes: Uint8Array, acks: number): Promise<NetfilterRefusal[]> {
  const native = loadNative();
  if (!native?.netfilterBatch) throw new Error('the native module is not built (run "npm install" with a C compiler)');
  const t0 = performance.now();
  const refused = await native.netfilterBatch(bytes, acks);
  if (traceHostCommands())
    traceLine(
      `netlink ${(performance.now() - t0).toFixed(1)}ms ${bytes.length} bytes, ${acks} messages, ${refused.length} refused`,
    );
  return refused;
}

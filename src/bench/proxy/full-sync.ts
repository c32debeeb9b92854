/**
 * Full sync at the largest scale, by restarting the proxy process (its
 * first sync is always a full one): "warm" over the rules the previous
 * process left (an agent restart), "cold" after removing them (a fresh
 * node). Reports the sync itself, the time from process start to rules
 * live (includes listing every Service and slice), and memory once idle.
 */
import { IptablesBackend } from '../../proxy/iptables/backend.js';
import { NftBackend } from '../../proxy/nft/backend.js';
import type { ProxyMode } from '../../proxy/index.js';
import type { ProxyHandle } from './proxy-handle.js';

export interface FullSyncSample {
  kind: 'warm' | 'cold';
  syncMs: number;
  startToLiveMs: number;
  rules: number;
  servicePorts: number;
  rssMiB: number;
  hwmMiB: number;
  heapMiB: number;
}

export async function measureFullSync(
  mode: ProxyMode,
  expectedPorts: number,
  reps: number,
  current: ProxyHandle,
  spawn: () => ProxyHandle,
  log: (m: string) => void,
): Promise<{ samples: FullSyncSample[]; proxy: ProxyHandle }> {
  const samples: FullSyncSample[] = [];
  let proxy = current;
  for (let r = 0; r < reps; r++) {
    for (const kind of ['warm', 'cold'] as const) {
      await proxy.stop();
      if (kind === 'cold') await (mode === 'nftables' ? new NftBackend() : new IptablesBackend()).cleanup();
      proxy = spawn();
      const first = await proxy.waitSync(0);
      if (!first.full) throw new Error('the first sync of a new proxy process was not a full one');
      if (first.servicePorts < expectedPorts)
        throw new Error(`first full sync saw ${first.servicePorts} service ports, expected ${expectedPorts}`);
      await proxy.waitIdle();
      const mem = proxy.memory();
      samples.push({
        kind,
        syncMs: first.ms,
        startToLiveMs: first.seenAt - proxy.spawnedAt,
        rules: first.rules,
        servicePorts: first.servicePorts,
        ...mem,
        heapMiB: first.heapMiB,
      });
      log(
        `  full sync ${kind} #${r + 1}: ${first.ms.toFixed(0)} ms (start to live ${(first.seenAt - proxy.spawnedAt).toFixed(0)} ms), RSS ${mem.rssMiB.toFixed(0)} MiB`,
      );
    }
  }
  return { samples, proxy };
}

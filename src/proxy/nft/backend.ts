/**
 * nftables mode on the host: `nft -f -` transactions on table ip podnet
 * only. The first sync (and every periodic resync) reads which of our
 * chains and sets exist and rebuilds atomically; later syncs send only
 * the diff from what was last applied.
 */
import { run, runOk } from '../../host/exec.js';
import type { ProxyBackend } from '../backend.js';
import type { ProxyState } from '../types.js';
import { diffTables, fullSyncOps, type ExistingNames } from './diff.js';
import { ruleCount, TABLE_NAME, type NftTable } from './model.js';
import { opsToScript } from './ops.js';
import { renderNft } from './render.js';

interface JsonList { nftables?: Record<string, { table?: string; name?: string }>[] }

async function listNames(what: 'chains' | 'sets' | 'maps'): Promise<string[]> {
  const out = await runOk(['nft', '-t', '-j', 'list', what, 'ip']);
  const parsed = JSON.parse(out || '{}') as JsonList;
  const key = what.slice(0, -1);
  return (parsed.nftables ?? []).map((o) => o[key]).filter((o) => o?.table === TABLE_NAME).map((o) => o!.name!);
}

export async function readExisting(): Promise<ExistingNames> {
  const [chains, sets, maps] = await Promise.all([listNames('chains'), listNames('sets'), listNames('maps')]);
  return { chains, sets: [...sets.map((name) => ({ name, kind: 'set' as const })), ...maps.map((name) => ({ name, kind: 'map' as const }))] };
}

export class NftBackend implements ProxyBackend {
  readonly mode = 'nftables' as const;
  private applied: NftTable | undefined;

  async sync(state: ProxyState, full: boolean): Promise<number> {
    const next = renderNft(state);
    const ops = full || !this.applied ? fullSyncOps(next, await readExisting()) : diffTables(this.applied, next);
    const script = opsToScript(ops);
    if (script) {
      try {
        await runOk(['nft', '-f', '-'], { input: script });
      } catch (e) {
        this.applied = undefined; // unknown kernel state: the retry rebuilds everything
        throw e;
      }
    }
    this.applied = next;
    return ruleCount(next);
  }

  async cleanup(): Promise<void> {
    this.applied = undefined;
    const r = await run(['nft', 'list', 'table', 'ip', TABLE_NAME]);
    if (r.code === 0) await runOk(['nft', 'delete', 'table', 'ip', TABLE_NAME]);
  }
}

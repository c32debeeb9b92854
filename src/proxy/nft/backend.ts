/**
 * nftables mode on the host: transactions on table ip podnet only. The
 * first sync (and every periodic resync) reads which of our chains and
 * sets exist and rebuilds: with the native module, the structure through
 * `nft -f`, then every set's elements at once over netlink (netlink.ts;
 * printing 100,000 elements for nft to parse was half the time), then the
 * removals; without it, all of it as one `nft -f`. Later syncs send only
 * the changed service ports' chains and elements (incremental.ts),
 * through a long-lived `nft -i` (session.ts).
 */
import { HostCommandError, run, runOk } from '../../host/exec.js';
import { netfilterAvailable, sendNetfilterBatch } from '../../host/netfilter.js';
import type { ProxyBackend } from '../backend.js';
import type { PortChange } from '../changes.js';
import type { ProxyNode, ProxyState } from '../types.js';
import { fullSyncOps, splitFullSync, type ExistingNames } from './diff.js';
import { AppliedNftTable } from './incremental.js';
import { TABLE_NAME, type NftTable } from './model.js';
import { elementBatch } from './netlink.js';
import { opsToScript, type NftOp } from './ops.js';
import { NftSession, SESSION_MAX_SCRIPT } from './session.js';
import { renderNft } from './render.js';
import { warn } from '../../log/log.js';

interface JsonList {
  nftables?: Record<string, { table?: string; name?: string }>[];
}

async function listNames(what: 'chains' | 'sets' | 'maps'): Promise<string[]> {
  const out = await runOk(['nft', '-t', '-j', 'list', what, 'ip']);
  const parsed = JSON.parse(out || '{}') as JsonList;
  const key = what.slice(0, -1);
  return (parsed.nftables ?? [])
    .map((o) => o[key])
    .filter((o) => o?.table === TABLE_NAME)
    .map((o) => o!.name!);
}

export async function readExisting(): Promise<ExistingNames> {
  const [chains, sets, maps] = await Promise.all([listNames('chains'), listNames('sets'), listNames('maps')]);
  return {
    chains,
    sets: [
      ...sets.map((name) => ({ name, kind: 'set' as const })),
      ...maps.map((name) => ({ name, kind: 'map' as const })),
    ],
  };
}

export class NftBackend implements ProxyBackend {
  readonly mode = 'nftables' as const;
  private applied: AppliedNftTable | undefined;
  private readonly session = new NftSession();

  constructor(private readonly log: (m: string) => void = () => {}) {}

  async fullSync(state: ProxyState): Promise<number> {
    this.applied = undefined;
    const existing = readExisting(); // nft lists the table in its own process while this one renders
    const next = renderNft(state);
    this.applied = await this.applyFull(fullSyncOps(next, await existing), next, () => new AppliedNftTable(state));
    return this.applied.rules;
  }

  async applyChanges(changes: PortChange[], node: ProxyNode): Promise<number> {
    const applied = this.applied;
    if (!applied) throw new Error('nftables: no full sync to build on');
    // plan() records the changes as applied; if the kernel refuses them, forget everything (the retry is a full sync).
    this.applied = undefined;
    await this.applySmall(applied.plan(changes, node));
    this.applied = applied;
    return applied.rules;
  }

  /**
   * A full sync in three transactions when the native module is there (structure by `nft -f`,
   * elements over netlink, removals by `nft -f`), else in one `nft -f`. Work overlaps where it
   * can: the elements are encoded while `nft -f` loads the structure in its own process, and
   * `record()` (what the table then holds) is built while the kernel loads the elements on a
   * worker thread; one after the other, these were a third of a 10,000-Service sync.
   */
  private async applyFull(ops: NftOp[], next: NftTable, record: () => AppliedNftTable): Promise<AppliedNftTable> {
    if (!netfilterAvailable()) {
      await this.apply(ops);
      return record();
    }
    const split = splitFullSync(ops);
    const structure = this.apply(split.structure);
    const batch = elementBatch(split.elements, new Map([...next.sets.values()].map((s) => [s.name, s.spec])));
    await structure;
    // From here the structure is in place: whatever goes wrong, only the elements and the removals are left to send.
    const restAsText = () => this.apply([...split.elements, ...split.removals]);
    if (!batch) {
      await restAsText();
      return record();
    }
    const sent = sendNetfilterBatch(batch.bytes, batch.acks).catch((e: Error) => [
      { seq: 0, errno: 0, message: e.message },
    ]);
    const applied = record();
    const refused = await sent;
    if (refused.length) {
      // The kernel dropped the whole batch: say why, and send the same elements as text (nft reports its own error if it fails too).
      const first = refused[0]!;
      warn(
        this.log,
        `proxy: nftables elements over netlink refused (${batch.messages.get(first.seq) ?? 'batch'}: ${first.message}); applying them through nft`,
      );
      await restAsText();
      return applied;
    }
    await this.apply(split.removals);
    return applied;
  }

  private async apply(ops: NftOp[]): Promise<void> {
    const script = opsToScript(ops);
    if (script) await runOk(['nft', '-f', '-'], { input: script });
  }

  /** Small incremental transactions go to the running `nft -i`; big ones, or when the session fails to start, to `nft -f`. */
  private async applySmall(ops: NftOp[]): Promise<void> {
    const script = opsToScript(ops);
    if (!script) return;
    if (script.length > SESSION_MAX_SCRIPT) return this.apply(ops);
    try {
      await this.session.run(script);
    } catch (e) {
      // A refused transaction is refused either way; a dead session is worth one retry by exec.
      if (/nft -i (exited|gave no answer)/.test((e as Error).message)) return this.apply(ops);
      throw e;
    }
  }

  close(): void {
    this.session.close();
  }

  async cleanup(): Promise<void> {
    this.applied = undefined;
    this.session.close();
    // Delete, and take "no such table" as done: any listing that could tell first (list table, even list tables)
    // reads every element, 1.5-3 s at 10,000 Services.
    const argv = ['nft', 'delete', 'table', 'ip', TABLE_NAME];
    const r = await run(argv);
    if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) throw new HostCommandError(argv, r);
  }
}

/**
 * iptables mode on the host: a full sync rewrites all our KUBE-* chains
 * with iptables-restore --noflush (one commit per table); an incremental
 * one writes only the changed ports' chains and lines (incremental.ts).
 * The jumps from the built-in
 * chains are kept with -C / -I. Whatever else is in the tables is left alone.
 */
import { run, runOk } from '../../host/exec.js';
import type { ProxyBackend } from '../backend.js';
import type { PortChange } from '../changes.js';
import type { ProxyNode, ProxyState } from '../types.js';
import { AppliedIptables } from './incremental.js';
import { chainsInSave, isOurChain, JUMPS, renderIptables, restoreText } from './render.js';

/**
 * For the restores that carry every KUBE-* chain (full sync, cleanup): iptables-nft-restore 1.8.9
 * takes ~5 s for 1,000 Services x 10 endpoints and grows faster than the ruleset
 * (docs/benchmarks.md); exec's default of 30 s killed every full sync from ~5,000 on.
 */
const RESTORE_TIMEOUT_MS = 15 * 60_000;

async function existingChains(table: 'nat' | 'filter'): Promise<string[]> {
  const r = await run(['iptables-save', '-t', table]);
  return r.code === 0 ? chainsInSave(r.stdout) : [];
}

export class IptablesBackend implements ProxyBackend {
  readonly mode = 'iptables' as const;
  private applied: AppliedIptables | undefined;

  async fullSync(state: ProxyState): Promise<number> {
    this.applied = undefined;
    const rules = renderIptables(state);
    const existing = { nat: await existingChains('nat'), filter: await existingChains('filter') };
    await runOk(['iptables-restore', '--noflush', '-w'], {
      input: restoreText(rules, existing),
      timeoutMs: RESTORE_TIMEOUT_MS,
    });
    await this.ensureJumps();
    this.applied = new AppliedIptables(state);
    return this.applied.rules;
  }

  async applyChanges(changes: PortChange[], node: ProxyNode): Promise<number> {
    const applied = this.applied;
    if (!applied) throw new Error('iptables: no full sync to build on');
    // plan() records the changes as applied; if the restore fails, forget everything (the retry is a full sync).
    this.applied = undefined;
    const text = applied.plan(changes, node);
    if (text) await runOk(['iptables-restore', '--noflush', '-w'], { input: text });
    this.applied = applied;
    return applied.rules;
  }

  private async ensureJumps(): Promise<void> {
    for (const j of JUMPS) {
      const check = await run(['iptables', '-w', '-t', j.table, '-C', j.chain, ...j.args]);
      if (check.code !== 0) await runOk(['iptables', '-w', '-t', j.table, '-I', j.chain, '1', ...j.args]);
    }
  }

  async cleanup(): Promise<void> {
    this.applied = undefined;
    // Look before touching: querying iptables-nft chains can create its tables.
    const save = await run(['iptables-save']);
    if (save.code !== 0 || !save.stdout.includes('KUBE-')) return;
    for (const j of JUMPS) {
      while ((await run(['iptables', '-w', '-t', j.table, '-C', j.chain, ...j.args])).code === 0) {
        await runOk(['iptables', '-w', '-t', j.table, '-D', j.chain, ...j.args]);
      }
    }
    const nat = (await existingChains('nat')).filter(isOurChain);
    const filter = (await existingChains('filter')).filter(isOurChain);
    if (!nat.length && !filter.length) return;
    const text = [
      '*nat',
      ...nat.map((c) => `:${c} - [0:0]`),
      ...nat.map((c) => `-X ${c}`),
      'COMMIT',
      '*filter',
      ...filter.map((c) => `:${c} - [0:0]`),
      ...filter.map((c) => `-X ${c}`),
      'COMMIT',
      '',
    ].join('\n');
    await runOk(['iptables-restore', '--noflush', '-w'], { input: text, timeoutMs: RESTORE_TIMEOUT_MS });
  }
}

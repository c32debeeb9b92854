/**
 * iptables mode on the host: iptables-restore --noflush rewrites only our
 * KUBE-* chains in one commit per table; the jumps from the built-in
 * chains are kept with -C / -I. Whatever else is in the tables is left alone.
 */
import { run, runOk } from '../../host/exec.js';
import type { ProxyBackend } from '../backend.js';
import type { ProxyState } from '../types.js';
import { chainsInSave, iptRuleCount, isOurChain, JUMPS, renderIptables, restoreText } from './render.js';

async function existingChains(table: 'nat' | 'filter'): Promise<string[]> {
  const r = await run(['iptables-save', '-t', table]);
  return r.code === 0 ? chainsInSave(r.stdout) : [];
}

export class IptablesBackend implements ProxyBackend {
  readonly mode = 'iptables' as const;
  private owned: { nat: string[]; filter: string[] } | undefined;

  async sync(state: ProxyState, full: boolean): Promise<number> {
    const rules = renderIptables(state);
    const existing = full || !this.owned ? { nat: await existingChains('nat'), filter: await existingChains('filter') } : this.owned;
    try {
      await runOk(['iptables-restore', '--noflush', '-w'], { input: restoreText(rules, existing) });
      if (full || !this.owned) await this.ensureJumps();
    } catch (e) {
      this.owned = undefined;
      throw e;
    }
    this.owned = { nat: [...rules.nat.chains.keys()], filter: [...rules.filter.chains.keys()] };
    return iptRuleCount(rules);
  }

  private async ensureJumps(): Promise<void> {
    for (const j of JUMPS) {
      const check = await run(['iptables', '-w', '-t', j.table, '-C', j.chain, ...j.args]);
      if (check.code !== 0) await runOk(['iptables', '-w', '-t', j.table, '-I', j.chain, '1', ...j.args]);
    }
  }

  async cleanup(): Promise<void> {
    this.owned = undefined;
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
      '*nat', ...nat.map((c) => `:${c} - [0:0]`), ...nat.map((c) => `-X ${c}`), 'COMMIT',
      '*filter', ...filter.map((c) => `:${c} - [0:0]`), ...filter.map((c) => `-X ${c}`), 'COMMIT', '',
    ].join('\n');
    await runOk(['iptables-restore', '--noflush', '-w'], { input: text });
  }
}

/** What a proxy mode does to the kernel; the proxier drives either one the same way. */
import type { PortChange } from './changes.js';
import type { ProxyNode, ProxyState } from './types.js';

export interface ProxyBackend {
  readonly mode: 'nftables' | 'iptables';
  /** Rebuilds everything we own to match `state` in one transaction (first sync, periodic resync, after a failure). Returns the rule count. */
  fullSync(state: ProxyState): Promise<number>;
  /**
   * Programs only these service ports' changes on top of what the last
   * successful sync applied (O(change)). Throws when there is nothing to
   * build on (no full sync yet, or the last sync failed). Returns the rule count.
   */
  applyChanges(changes: PortChange[], node: ProxyNode): Promise<number>;
  /** Ends helper processes (the rules stay). */
  close?(): void;
  /** Removes everything this mode ever installed (used when switching to the other mode). */
  cleanup(): Promise<void>;
}

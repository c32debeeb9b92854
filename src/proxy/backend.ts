/** What a proxy mode does to the kernel; the proxier drives either one the same way. */
import type { ProxyState } from './types.js';

export interface ProxyBackend {
  readonly mode: 'nftables' | 'iptables';
  /** Makes the kernel match `state`; `full` rebuilds everything we own in one transaction. Returns the rule count. */
  sync(state: ProxyState, full: boolean): Promise<number>;
  /** Removes everything this mode ever installed (used when switching to the other mode). */
  cleanup(): Promise<void>;
}

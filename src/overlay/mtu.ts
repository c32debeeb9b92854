/** The MTU pods get per backend, for the overlay device and the CNI bridge. */
import { VXLAN_OVERHEAD } from './constants.js';
import type { Backend } from './types.js';

/**
 * Pod MTU: vxlan loses 50 bytes of the underlay MTU to encapsulation;
 * host-gw routes pod packets unchanged, so pods get the full underlay MTU.
 */
export function backendMtu(backend: Backend, underlayMtu = 1500): number {
  return backend === 'vxlan' ? underlayMtu - VXLAN_OVERHEAD : underlayMtu;
}

/**
 * The overlay's fixed names and numbers, in one place so the CNI layer, the
 * doctor and the tests agree with the dataplane code.
 */

/** The VXLAN device (flannel calls it flannel.<VNI>). */
export const VXLAN_DEVICE = 'podnet.1';
/** VXLAN network identifier: one overlay per cluster. */
export const VXLAN_VNI = 1;
/** UDP port: 8472 is the Linux kernel's historical default and flannel's, not IANA's 4789. */
export const VXLAN_PORT = 8472;
/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers. */
export const VXLAN_OVERHEAD = 50;

/**
 * Every route the overlay installs carries this routing protocol number
 * (`ip route ... proto 80`; 0x50, "P" for podnet; not in iproute2's
 * rt_protos list). Routes are ours only when they have this proto AND a
 * destination inside the cluster CIDR, so we never touch a route we didn't
 * make, and a route we made is found again after a restart or a backend
 * switch.
 */
export const ROUTE_PROTO = 80;

/** Node annotations through which each node tells the others how to reach its pods. */
export const ANNOTATION_BACKEND_TYPE = 'podnet.io/backend-type';
export const ANNOTATION_PUBLIC_IP = 'podnet.io/public-ip';
/** vxlan only: MAC address of the node's VXLAN device. */
export const ANNOTATION_VTEP_MAC = 'podnet.io/vtep-mac';

/** Full resync period: repairs anything a missed watch event or a manual change left behind. */
export const DEFAULT_RESYNC_MS = 30_000;

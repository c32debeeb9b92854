/** The node routes pod traffic between its bridge and the overlay, so IPv4 forwarding must be on in its netns. */
import { runOk } from '../host/exec.js';
import type { HostTarget } from './types.js';

export async function enableIpForwarding(target: HostTarget): Promise<void> {
  // /proc/sys/net is per network namespace: run inside the target one.
  await runOk(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], { netns: target.netns });
}

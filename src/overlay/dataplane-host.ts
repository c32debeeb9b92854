/** Reads the overlay's kernel entries and applies changes to them (the side-effect half of reconcile). */
import { ipJson, run, runOk } from '../host/exec.js';
import { changeToArgv, describeChange } from './commands.js';
import { ROUTE_PROTO, VXLAN_DEVICE } from './constants.js';
import {
  parseOwnedFdb,
  parseOwnedNeighs,
  parseOwnedRoutes,
  type BridgeFdbJson,
  type IpNeighJson,
  type IpRouteJson,
} from './observed-parse.js';
import { readLink } from './vxlan-device.js';
import { removeIpMasq } from './ip-masq.js';
import type { Change, Dataplane, HostTarget, Logger } from './types.js';

/** Everything the overlay owns in the target netns right now. */
export async function readDataplane(target: HostTarget, clusterCidr: string): Promise<Dataplane> {
  const ns = { netns: target.netns };
  const routes = parseOwnedRoutes(
    await ipJson<IpRouteJson>(['route', 'show', 'table', 'main', 'proto', String(ROUTE_PROTO)], ns),
    clusterCidr,
  );
  if (!(await readLink(target, VXLAN_DEVICE))) return { routes, neighs: [], fdb: [] };
  const neighs = parseOwnedNeighs(await ipJson<IpNeighJson>(['neigh', 'show', 'dev', VXLAN_DEVICE], ns), VXLAN_DEVICE);
  const fdbOut = await runOk(['bridge', '-j', 'fdb', 'show', 'dev', VXLAN_DEVICE], ns);
  const fdb = parseOwnedFdb(fdbOut.trim() ? (JSON.parse(fdbOut) as BridgeFdbJson[]) : [], VXLAN_DEVICE);
  return { routes, neighs, fdb };
}

export interface ApplyResult {
  applied: Change[];
  failed: { change: Change; error: string }[];
}

/**
 * Applies changes in order. A failing one is reported and the rest still
 * run: one bad peer must not cut this node off from all the others.
 */
export async function applyChanges(target: HostTarget, changes: readonly Change[], log: Logger): Promise<ApplyResult> {
  const result: ApplyResult = { applied: [], failed: [] };
  for (const c of changes) {
    const r = await run(changeToArgv(c), { netns: target.netns });
    // Deleting what is already gone is success: the goal state is reached.
    if (r.code === 0 || (c.op === 'del' && /No such|not found|Cannot find|does not exist/i.test(r.stderr))) {
      result.applied.push(c);
      log(`overlay: ${describeChange(c)}`);
    } else {
      result.failed.push({ change: c, error: r.stderr.trim() || `exit ${r.code}` });
      log(`overlay: FAILED ${describeChange(c)}: ${r.stderr.trim() || `exit ${r.code}`}`);
    }
  }
  return result;
}

/**
 * Removes everything the overlay made in the target netns: podnet.1 (with
 * its neighbours and FDB), every proto-80 route in the cluster CIDR and the
 * ip-masq table.
 * For uninstall; stopping the overlay leaves the dataplane in place so pods
 * keep talking while the agent restarts.
 */
export async function removeOverlayDataplane(target: HostTarget, clusterCidr: string, log: Logger): Promise<void> {
  const { routes } = await readDataplane(target, clusterCidr);
  await applyChanges(
    target,
    routes.map((entry): Change => ({ kind: 'route', op: 'del', entry })),
    log,
  );
  const r = await run(['ip', 'link', 'del', VXLAN_DEVICE], { netns: target.netns });
  if (r.code === 0) log(`overlay: deleted ${VXLAN_DEVICE}`);
  await removeIpMasq(target);
}

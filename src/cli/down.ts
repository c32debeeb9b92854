/** `podnet down`: stop a cluster started by `podnet up` and remove everything it made on the host. */
import { rmSync } from 'node:fs';
import { kubeconfigName } from '../apiserver/state/kubeconfig.js';
import { unmergeKubeconfig } from '../cluster/kubeconfig-merge.js';
import { readLayout } from '../cluster/layout-file.js';
import { acquireLock } from '../cluster/lock.js';
import { tearDown } from '../cluster/teardown.js';
import { down } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand } from './spec.js';
import { stateDir } from './state-dir.js';

export async function runDown(args: string[]): Promise<number> {
  const { values } = parseCommand(down, args);
  if (process.getuid?.() !== 0) throw new CliError('it removes network namespaces, links and mounts: run it as root');
  const dir = stateDir(values.state);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let layout;
  try {
    layout = readLayout(dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  if (!layout) {
    say(`no cluster recorded in ${dir} (no cluster.json): nothing to stop`);
    return 0;
  }
  let release: () => void;
  try {
    release = acquireLock(dir);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  try {
    const r = await tearDown(layout, say);
    if (layout.mergedKubeconfig && unmergeKubeconfig(layout.mergedKubeconfig, kubeconfigName(layout.name)))
      say(`removed context ${kubeconfigName(layout.name)} from ${layout.mergedKubeconfig}`);
    say(
      `stopped ${r.stopped.length} process(es), unmounted ${r.unmounted.length}, deleted ${r.links.length} link(s), ${r.netns.length} netns and ${r.cgroups.length} pod cgroup(s)`,
    );
    if (r.leftovers.length > 0) {
      process.stderr.write(
        `podnet down: these are still there:\n${r.leftovers.map((l) => `  ${l}`).join('\n')}\nRun "podnet down${values.state ? ` --state ${dir}` : ''}" again; if they stay, remove them by hand (ip netns del / ip link del / kill / rmdir).\n`,
      );
      return 1;
    }
  } finally {
    release();
  }
  // Only a clean teardown gets here: a leftover returned 1 above, a failure threw.
  if (values.purge) {
    rmSync(dir, { recursive: true, force: true });
    say(`removed ${dir}`);
  } else {
    say(`cluster down; data kept in ${dir} ("podnet up" reuses it, "podnet down --purge" deletes it)`);
  }
  return 0;
}

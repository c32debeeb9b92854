/**
 * Where the runtime keeps things under its state directory (pure):
 *
 *   <root>/sandboxes/<uid>/sandbox.json, holder.pid, resolv.conf, hosts
 *   <root>/sandboxes/<uid>/containers/<name>/<attempt>/{meta.json,pid,exit,log}
 *   <root>/cni/results/...   cached CNI ADD results
 *   <root>/cni/networks/...  host-local IP reservations
 */
import { join } from 'node:path';
import { validateContainerName, validatePodUid } from './names.js';

export class StateLayout {
  constructor(readonly root: string) {
    if (!root.startsWith('/')) throw new Error(`runtime state dir must be an absolute path, got "${root}"`);
  }
  get sandboxesDir(): string {
    return join(this.root, 'sandboxes');
  }
  get cniCacheDir(): string {
    return join(this.root, 'cni', 'results');
  }
  get ipamDataDir(): string {
    return join(this.root, 'cni', 'networks');
  }

  sandboxDir(uid: string): string {
    validatePodUid(uid);
    return join(this.sandboxesDir, uid);
  }
  sandboxFile(uid: string): string {
    return join(this.sandboxDir(uid), 'sandbox.json');
  }
  /** Written the moment the holder is spawned, so a crash before sandbox.json still finds it. */
  holderPidFile(uid: string): string {
    return join(this.sandboxDir(uid), 'holder.pid');
  }
  holderReadyFile(uid: string): string {
    return join(this.sandboxDir(uid), 'holder.ready');
  }
  holderLog(uid: string): string {
    return join(this.sandboxDir(uid), 'holder.log');
  }
  resolvConf(uid: string): string {
    return join(this.sandboxDir(uid), 'resolv.conf');
  }
  hosts(uid: string): string {
    return join(this.sandboxDir(uid), 'hosts');
  }
  /** The pod's /etc/hostname (runc binds it; the process runtime has the node's). */
  hostnameFile(uid: string): string {
    return join(this.sandboxDir(uid), 'hostname');
  }

  containersDir(uid: string): string {
    return join(this.sandboxDir(uid), 'containers');
  }
  containerNameDir(uid: string, name: string): string {
    validateContainerName(name);
    return join(this.containersDir(uid), name);
  }
  containerDir(uid: string, name: string, attempt: number): string {
    if (!Number.isInteger(attempt) || attempt < 0)
      throw new Error(`invalid container attempt ${attempt}: expected 0, 1, 2, ...`);
    return join(this.containerNameDir(uid, name), String(attempt));
  }
  logPath(uid: string, name: string, attempt: number): string {
    return join(this.containerDir(uid, name, attempt), 'log');
  }
}

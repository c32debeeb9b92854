/**
 * The CNI runtime (libcni's job): runs a network configuration list's
 * plugins for ADD (in order, chaining prevResult), DEL (in reverse, with the
 * cached result, tolerating what is already gone) and CHECK.
 */
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../../host/exec.js';
import { CniResultCache } from './cache.js';
import { pluginEnv, pluginStdin } from './invocation.js';
import { parseCniError, parseCniResult } from './result.js';
import type { CniAttachment, CniCommand, CniConfList, CniPluginConf, CniResult } from './types.js';

export interface CniRuntimeOptions {
  /** Directories holding plugin binaries (CNI_PATH); the first is searched first. */
  binDirs: string[];
  /** Where ADD results are cached. */
  cacheDir: string;
  /**
   * Network namespace the plugins run in (the node's, where cni0 and the host
   * end of each veth live). Undefined: the caller's own namespace.
   */
  hostNetns?: string;
  /** Per-plugin timeout (default 60 s). */
  timeoutMs?: number;
}

export class CniRuntime {
  readonly cache: CniResultCache;

  constructor(readonly opts: CniRuntimeOptions) {
    this.cache = new CniResultCache(opts.cacheDir);
  }

  /** Attaches the container to the network; caches and returns the final result. */
  async add(list: CniConfList, att: CniAttachment): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      prev = await this.invoke('ADD', list, plugin, att, prev);
    }
    if (!prev) throw new Error(`network ${list.name} has no plugins; nothing attached the container`);
    await this.cache.put({
      kind: 'cniCacheV1',
      containerId: att.containerId,
      ifName: att.ifName,
      networkName: list.name,
      config: list,
      cniArgs: att.args,
      capabilityArgs: att.capabilityArgs,
      result: prev,
    });
    return prev;
  }

  /**
   * Detaches; idempotent. Uses the cached config/result of the ADD when there
   * is one (so it undoes what was done), else the given list without prevResult,
   * which the spec requires plugins to accept.
   */
  async del(list: CniConfList, att: CniAttachment): Promise<void> {
    const cached = await this.cache.get(list.name, att);
    const used = cached?.config ?? list;
    const capabilityArgs = cached?.capabilityArgs ?? att.capabilityArgs;
    for (const plugin of [...used.plugins].reverse()) {
      await this.invoke('DEL', used, plugin, { ...att, capabilityArgs }, cached?.result);
    }
    await this.cache.delete(list.name, att);
  }

  /**
   * Asks every plugin whether the attachment is still as ADD left it; throws
   * if not. skipTypes leaves out plugins whose CHECK is known to be broken.
   */
  async check(list: CniConfList, att: CniAttachment, skipTypes: string[] = []): Promise<void> {
    const cached = await this.cache.get(list.name, att);
    if (!cached)
      throw new Error(
        `no cached ADD result for ${att.containerId}/${att.ifName} on network ${list.name}: the attachment was never added (or was deleted)`,
      );
    if (cached.config.disableCheck) return;
    for (const plugin of cached.config.plugins) {
      if (skipTypes.includes(plugin.type)) continue;
      await this.invoke(
        'CHECK',
        cached.config,
        plugin,
        { ...att, capabilityArgs: cached.capabilityArgs },
        cached.result,
      );
    }
  }

  private async pluginPath(type: string): Promise<string> {
    if (!/^[A-Za-z0-9_.-]+$/.test(type)) throw new Error(`invalid CNI plugin type "${type}"`);
    for (const dir of this.opts.binDirs) {
      const p = join(dir, type);
      try {
        await access(p, constants.X_OK);
        return p;
      } catch {
        /* try the next directory */
      }
    }
    throw new Error(
      `CNI plugin "${type}" not found in ${this.opts.binDirs.join(':')}; install containernetworking-plugins`,
    );
  }

  private async invoke(
    command: CniCommand,
    list: CniConfList,
    plugin: CniPluginConf,
    att: CniAttachment,
    prevResult?: CniResult,
  ): Promise<CniResult | undefined> {
    const path = await this.pluginPath(plugin.type);
    const stdin = pluginStdin(list, plugin, att.capabilityArgs, prevResult);
    const r = await run([path], {
      input: JSON.stringify(stdin),
      env: pluginEnv(command, att, this.opts.binDirs),
      cleanEnv: true,
      netns: this.opts.hostNetns,
      timeoutMs: this.opts.timeoutMs ?? 60_000,
    });
    if (r.code !== 0) throw parseCniError(plugin.type, command, r.code, r.stdout, r.stderr);
    // Only ADD returns a result; DEL and CHECK print nothing on success.
    return command === 'ADD' ? parseCniResult(plugin.type, r.stdout) : undefined;
  }
}

/**
 * On-disk cache of ADD results per attachment, like libcni's
 * /var/lib/cni/results: DEL and CHECK need the ADD's final result as
 * prevResult, and the config it was added with, even after an agent restart.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CniAttachment, CniConfList, CniResult } from './types.js';

export interface CachedAttachment {
  kind: 'cniCacheV1';
  containerId: string;
  ifName: string;
  networkName: string;
  /** The conflist the attachment was added with (DEL undoes exactly that). */
  config: CniConfList;
  cniArgs: Record<string, string>;
  capabilityArgs: Record<string, unknown>;
  result: CniResult;
}

/** File name of one attachment's cache entry (libcni's naming: net-container-ifname). */
export const cacheFileName = (networkName: string, containerId: string, ifName: string): string =>
  `${networkName}-${containerId}-${ifName}.json`;

export class CniResultCache {
  constructor(readonly dir: string) {}

  private file(networkName: string, att: Pick<CniAttachment, 'containerId' | 'ifName'>): string {
    return join(this.dir, cacheFileName(networkName, att.containerId, att.ifName));
  }

  async put(entry: CachedAttachment): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(entry.networkName, entry);
    // tmp + rename: a crash never leaves half a cache entry behind.
    await writeFile(`${file}.tmp`, JSON.stringify(entry, null, 2));
    await rename(`${file}.tmp`, file);
  }

  async get(
    networkName: string,
    att: Pick<CniAttachment, 'containerId' | 'ifName'>,
  ): Promise<CachedAttachment | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(networkName, att), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    try {
      const o = JSON.parse(text) as CachedAttachment;
      return o.kind === 'cniCacheV1' ? o : undefined;
    } catch {
      return undefined; // a corrupt entry is as good as none: DEL still works without prevResult
    }
  }

  async delete(networkName: string, att: Pick<CniAttachment, 'containerId' | 'ifName'>): Promise<void> {
    await rm(this.file(networkName, att), { force: true });
  }
}

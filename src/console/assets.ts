/**
 * The files the console serves: its page and stylesheet (src/console/static,
 * shipped in the package), its browser modules (compiled by tsc into
 * dist/console/web) and xterm.js from node_modules. Read once, then kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Asset } from './routes.js';

export interface AssetDirs {
  static: string;
  web: string;
  xterm: string;
}

export function defaultAssetDirs(): AssetDirs {
  // node_modules/@xterm/xterm/lib/xterm.js -> node_modules/@xterm/xterm
  const xtermMain = createRequire(import.meta.url).resolve('@xterm/xterm');
  return {
    static: fileURLToPath(new URL('../../src/console/static/', import.meta.url)),
    web: fileURLToPath(new URL('./web/', import.meta.url)),
    xterm: dirname(dirname(xtermMain)),
  };
}

export class AssetCache {
  private readonly files = new Map<string, Buffer | undefined>();

  constructor(private readonly dirs: AssetDirs) {}

  /** The file's bytes, or undefined when it does not exist. */
  read(asset: Asset): Buffer | undefined {
    const path = join(this.dirs[asset.from], asset.file);
    if (!this.files.has(path)) {
      let bytes: Buffer | undefined;
      try {
        bytes = readFileSync(path);
      } catch {
        bytes = undefined; // a module name that is not one of ours: 404
      }
      this.files.set(path, bytes);
    }
    return this.files.get(path);
  }
}

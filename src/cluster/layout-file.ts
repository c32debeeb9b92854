/** Reads and writes DIR/cluster.json (the recorded layout). */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { clusterFile } from './paths.js';
import type { ClusterLayout } from './layout.js';

export function readLayout(dir: string): ClusterLayout | undefined {
  const path = clusterFile(dir);
  if (!existsSync(path)) return undefined;
  let parsed: ClusterLayout;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as ClusterLayout;
  } catch (e) {
    throw new Error(
      `cannot read ${path}: ${(e as Error).message}; fix or delete it (then remove leftover podnet* links and netns by hand)`,
      { cause: e },
    );
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.nodes))
    throw new Error(`${path} is not a podnet cluster layout (version ${String(parsed.version)})`);
  return parsed;
}

/** Written atomically so a crash never leaves half a file. */
export function writeLayout(layout: ClusterLayout): void {
  mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
  const path = clusterFile(layout.stateDir);
  writeFileSync(`${path}.tmp`, JSON.stringify(layout, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

/**
 * What a configMap or secret volume holds (pure): every key, or only the
 * listed items, with defaultMode (0644) or the item's mode, as the kubelet
 * projects them. A missing key or object is an error unless optional.
 */
import type { KeyToPath, ProjectedFile } from './types.js';

const DEFAULT_MODE = 0o644;

export function projectData(
  kind: 'ConfigMap' | 'Secret',
  name: string,
  data: Record<string, Buffer> | undefined,
  items: KeyToPath[] | undefined,
  defaultMode: number | undefined,
  optional: boolean,
): { files: ProjectedFile[] } | { error: string } {
  const mode = defaultMode ?? DEFAULT_MODE;
  if (!data) {
    if (optional) return { files: [] };
    return { error: `${kind.toLowerCase()} "${name}" not found` };
  }
  if (!items?.length)
    return {
      files: Object.keys(data)
        .sort()
        .map((k) => ({ path: k, content: data[k]!, mode })),
    };
  const files: ProjectedFile[] = [];
  for (const it of items) {
    if (!(it.key in data)) {
      if (optional) continue;
      return { error: `configmap references non-existent config key: ${it.key}` };
    }
    if (it.path.startsWith('/') || it.path.split('/').includes('..'))
      return { error: `invalid path "${it.path}" for key ${it.key}: must be relative and without ".."` };
    files.push({ path: it.path, content: data[it.key]!, mode: it.mode ?? mode });
  }
  return { files };
}

/** hostPath type checks (pure): what the node has at the path against what the pod asked for. */
export function hostPathProblem(
  type: string | undefined,
  actual: 'missing' | 'dir' | 'file' | 'socket' | 'char' | 'block' | 'other',
  path: string,
): string | undefined {
  const want: Record<string, string> = {
    Directory: 'dir',
    File: 'file',
    Socket: 'socket',
    CharDevice: 'char',
    BlockDevice: 'block',
  };
  if (!type || type === 'DirectoryOrCreate' || type === 'FileOrCreate') return undefined;
  if (!(type in want))
    return `hostPath type "${type}" is not one of ${Object.keys(want).join(', ')}, DirectoryOrCreate, FileOrCreate`;
  if (actual === want[type]) return undefined;
  const names: Record<string, string> = {
    dir: 'directory',
    file: 'file',
    socket: 'socket',
    char: 'character device',
    block: 'block device',
  };
  return actual === 'missing'
    ? `hostPath type check failed: ${path} does not exist`
    : `hostPath type check failed: ${path} is not a ${names[want[type]!]}`;
}

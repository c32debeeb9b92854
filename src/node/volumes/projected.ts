/**
 * What projected and downwardAPI volumes hold (pure): each source's files
 * (Secret and ConfigMap items as in their own volumes, downward API fields,
 * the pod's ServiceAccount token) in one directory, with the volume's
 * defaultMode (0644) unless an item sets its own.
 */
import { projectData } from './files.js';
import type { DownwardItem, ProjectedFile, VolumeProjection } from './types.js';

const DEFAULT_MODE = 0o644;
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** What the pod's node has fetched or can compute for a projection. */
export interface ProjectionSources {
  configMap(name: string): Record<string, Buffer> | undefined;
  secret(name: string): Record<string, Buffer> | undefined;
  downward(item: DownwardItem): { value: string } | { error: string };
  /** The ServiceAccount token for this audience and lifetime (undefined: not fetched, e.g. refused). */
  token(audience: string | undefined, expirationSeconds: number): string | undefined;
}

type Result = { files: ProjectedFile[] } | { error: string };

function badPath(path: string): boolean {
  return path === '' || path.startsWith('/') || path.split('/').includes('..');
}

export function downwardFiles(
  items: DownwardItem[] | undefined,
  defaultMode: number | undefined,
  src: Pick<ProjectionSources, 'downward'>,
): Result {
  const files: ProjectedFile[] = [];
  for (const it of items ?? []) {
    if (badPath(it.path)) return { error: `invalid path "${it.path}": must be relative and without ".."` };
    const v = src.downward(it);
    if ('error' in v) return { error: `downward API item ${it.path}: ${v.error}` };
    files.push({ path: it.path, content: Buffer.from(v.value), mode: it.mode ?? defaultMode ?? DEFAULT_MODE });
  }
  return { files };
}

export function projectedFiles(
  sources: VolumeProjection[] | undefined,
  defaultMode: number | undefined,
  src: ProjectionSources,
): Result {
  const mode = defaultMode ?? DEFAULT_MODE;
  const files: ProjectedFile[] = [];
  for (const s of sources ?? []) {
    let part: Result;
    if (s.configMap)
      part = projectData(
        'ConfigMap',
        s.configMap.name,
        src.configMap(s.configMap.name),
        s.configMap.items,
        mode,
        !!s.configMap.optional,
      );
    else if (s.secret)
      part = projectData('Secret', s.secret.name, src.secret(s.secret.name), s.secret.items, mode, !!s.secret.optional);
    else if (s.downwardAPI) part = downwardFiles(s.downwardAPI.items, mode, src);
    else if (s.serviceAccountToken) {
      const t = s.serviceAccountToken;
      if (badPath(t.path)) return { error: `invalid path "${t.path}" for the ServiceAccount token` };
      const token = src.token(t.audience, t.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS);
      if (token === undefined) return { error: `cannot get the ServiceAccount token (${t.path}) from the API server` };
      part = { files: [{ path: t.path, content: Buffer.from(token), mode }] };
    } else continue;
    if ('error' in part) return part;
    files.push(...part.files);
  }
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) return { error: `two sources project the same path "${f.path}"` };
    seen.add(f.path);
  }
  return { files };
}

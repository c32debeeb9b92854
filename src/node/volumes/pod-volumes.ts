/**
 * A pod's volumes on the node, under <root>/<uid>/: emptyDir directories
 * (a tmpfs for medium Memory, sized by sizeLimit), hostPath checked against
 * its type, and configMap, secret, projected (ServiceAccount token,
 * configMap, secret, downward API) and downwardAPI volumes written the way
 * the kubelet's AtomicWriter does: the files in a "..<hash>" directory, "..data" a
 * symlink to it, and each top-level name a symlink through "..data". An
 * update writes a new directory and renames a new "..data" over the old,
 * so a running pod sees the old set or the new, never half of one.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { run } from '../../host/exec.js';
import { parseQuantity } from '../kubelet/quantity.js';
import type { ContainerBind } from '../runtime/types.js';
import { hostPathProblem, projectData } from './files.js';
import { downwardFiles, projectedFiles } from './projected.js';
import type { DownwardItem, ProjectedFile, Volume, VolumeMount } from './types.js';

export interface VolumeSources {
  configMap(namespace: string, name: string): Record<string, Buffer> | undefined;
  secret(namespace: string, name: string): Record<string, Buffer> | undefined;
  /** The pod's ServiceAccount token for an audience and lifetime, fetched beforehand (undefined: none). */
  token(audience: string | undefined, expirationSeconds: number): string | undefined;
  /** A downward API item's value for this pod. */
  downward(item: DownwardItem): { value: string } | { error: string };
}

interface VolumePod {
  metadata: { uid?: string; namespace?: string };
  spec: { volumes?: Volume[]; securityContext?: { fsGroup?: number } };
}

export class PodVolumes {
  constructor(private readonly root: string) {}

  private podDir(uid: string): string {
    return join(this.root, uid);
  }

  /** Makes or refreshes every volume of the pod; returns each volume's node path, or what is wrong. */
  async setUp(pod: VolumePod, sources: VolumeSources): Promise<{ paths: Map<string, string> } | { error: string }> {
    const uid = pod.metadata.uid!;
    const ns = pod.metadata.namespace ?? 'default';
    const fsGroup = pod.spec.securityContext?.fsGroup;
    const paths = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) {
      const dir = (kind: string) => join(this.podDir(uid), kind, v.name);
      if (v.emptyDir) {
        const path = dir('empty-dir');
        if (!existsSync(path)) {
          mkdirSync(path, { recursive: true });
          chmodSync(path, 0o777);
        }
        if (v.emptyDir.medium === 'Memory' && !(await isMountPoint(path))) {
          const size =
            v.emptyDir.sizeLimit !== undefined ? `,size=${Math.floor(parseQuantity(v.emptyDir.sizeLimit))}` : '';
          const r = await run(['mount', '-t', 'tmpfs', '-o', `mode=1777${size}`, 'tmpfs', path]);
          if (r.code !== 0) return { error: `emptyDir ${v.name}: cannot mount a tmpfs: ${r.stderr.trim()}` };
        }
        if (fsGroup !== undefined) chownSync(path, 0, fsGroup);
        paths.set(v.name, path);
      } else if (v.hostPath) {
        const p = normalize(v.hostPath.path);
        if (!p.startsWith('/')) return { error: `hostPath ${v.name}: path "${v.hostPath.path}" must be absolute` };
        if (v.hostPath.type === 'DirectoryOrCreate' && !existsSync(p)) mkdirSync(p, { recursive: true, mode: 0o755 });
        if (v.hostPath.type === 'FileOrCreate' && !existsSync(p)) {
          mkdirSync(dirname(p), { recursive: true });
          writeFileSync(p, '', { mode: 0o644 });
        }
        const problem = hostPathProblem(v.hostPath.type, kindOf(p), p);
        if (problem) return { error: `hostPath ${v.name}: ${problem}` };
        paths.set(v.name, p);
      } else if (v.configMap || v.secret) {
        const isCm = !!v.configMap;
        const name = isCm ? v.configMap!.name : v.secret!.secretName;
        const src = isCm ? v.configMap! : v.secret!;
        const data = isCm ? sources.configMap(ns, name) : sources.secret(ns, name);
        const projected = projectData(
          isCm ? 'ConfigMap' : 'Secret',
          name,
          data,
          src.items,
          src.defaultMode ?? (isCm ? undefined : 0o644),
          !!src.optional,
        );
        if ('error' in projected)
          return { error: `${isCm ? 'configMap' : 'secret'} volume ${v.name}: ${projected.error}` };
        const path = dir(isCm ? 'configmap' : 'secret');
        writeAtomically(path, projected.files, fsGroup);
        paths.set(v.name, path);
      } else if (v.projected || v.downwardAPI) {
        const files = v.projected
          ? projectedFiles(v.projected.sources, v.projected.defaultMode, {
              configMap: (name) => sources.configMap(ns, name),
              secret: (name) => sources.secret(ns, name),
              downward: (item) => sources.downward(item),
              token: (aud, seconds) => sources.token(aud, seconds),
            })
          : downwardFiles(v.downwardAPI!.items, v.downwardAPI!.defaultMode, sources);
        if ('error' in files)
          return { error: `${v.projected ? 'projected' : 'downwardAPI'} volume ${v.name}: ${files.error}` };
        const path = dir(v.projected ? 'projected' : 'downward-api');
        writeAtomically(path, files.files, fsGroup);
        paths.set(v.name, path);
      } else {
        return {
          error: `volume ${v.name}: only emptyDir, hostPath, configMap, secret, projected and downwardAPI volumes are supported on this node`,
        };
      }
    }
    return { paths };
  }

  /** Removes the pod's volumes (unmounting tmpfs emptyDirs first); hostPath contents stay. */
  async tearDown(uid: string): Promise<void> {
    const base = join(this.podDir(uid), 'empty-dir');
    for (const name of existsSync(base) ? readdirSync(base) : []) {
      const p = join(base, name);
      if (await isMountPoint(p)) {
        const r = await run(['umount', p]);
        if (r.code !== 0) throw new Error(`cannot unmount emptyDir ${p}: ${r.stderr.trim()}; retry later`);
      }
    }
    rmSync(this.podDir(uid), { recursive: true, force: true });
  }
}

/** The container's binds from its volumeMounts (pure apart from creating subPath directories). */
export function containerBinds(
  mounts: VolumeMount[] | undefined,
  volumes: Volume[] | undefined,
  paths: Map<string, string>,
): { binds: ContainerBind[] } | { error: string } {
  const binds: ContainerBind[] = [];
  for (const m of mounts ?? []) {
    const base = paths.get(m.name);
    const vol = volumes?.find((v) => v.name === m.name);
    if (!base || !vol) return { error: `volumeMount ${m.name}: no volume of that name in the pod` };
    if (!m.mountPath.startsWith('/'))
      return { error: `volumeMount ${m.name}: mountPath "${m.mountPath}" must be absolute` };
    let source = base;
    if (m.subPath) {
      if (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))
        return { error: `volumeMount ${m.name}: subPath "${m.subPath}" must be relative and without ".."` };
      source = join(base, m.subPath);
      if (!existsSync(source)) mkdirSync(source, { recursive: true, mode: 0o755 });
    }
    // configMap, secret, projected and downwardAPI volumes are read-only in Kubernetes whatever the mount says.
    const readOnly = !!m.readOnly || !!vol.configMap || !!vol.secret || !!vol.projected || !!vol.downwardAPI;
    binds.push({ source, destination: m.mountPath, readOnly });
  }
  return { binds };
}

function kindOf(p: string): 'missing' | 'dir' | 'file' | 'socket' | 'char' | 'block' | 'other' {
  let st;
  try {
    st = statSync(p);
  } catch {
    return 'missing';
  }
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'other';
}

async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((l) => l.split(' ')[4] === path);
}

/** The AtomicWriter's swap; nothing is written when the content is unchanged. */
function writeAtomically(dir: string, files: ProjectedFile[], fsGroup: number | undefined): void {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0${f.mode}\0`).update(f.content).update('\0');
  const version = `..${hash.digest('hex').slice(0, 16)}`;
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const dataLink = join(dir, '..data');
  if (existsSync(dataLink) && readlinkSync(dataLink) === version) return;
  const target = join(dir, version);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { mode: 0o755 });
  for (const f of files) {
    const p = join(target, f.path);
    mkdirSync(dirname(p), { recursive: true, mode: 0o755 });
    writeFileSync(p, f.content, { mode: f.mode });
    chmodSync(p, f.mode);
    if (fsGroup !== undefined) chownSync(p, 0, fsGroup);
  }
  const tmp = join(dir, '..data_tmp');
  rmSync(tmp, { force: true });
  symlinkSync(version, tmp);
  renameSync(tmp, dataLink);
  const top = new Set(files.map((f) => f.path.split('/')[0]!));
  for (const name of top) {
    const link = join(dir, name);
    if (!isSymlink(link)) symlinkSync(join('..data', name), link);
  }
  for (const entry of readdirSync(dir)) {
    if (entry === '..data' || entry === version) continue;
    if (entry.startsWith('..') || !top.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

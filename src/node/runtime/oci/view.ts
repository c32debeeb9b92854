/**
 * The container's root: what an image needs from the node, and nothing
 * else. Images resolve to programs on the node (src/images), so a
 * container's root is an empty directory with /usr bound read-only, the
 * merged-/usr links (/bin -> usr/bin ...) as the node has them, the parts of
 * /etc that programs read (users, name service, TLS roots, Java's config),
 * and the image's own files. The node's state, the cluster's credentials
 * and other pods are simply not in it.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Top-level directories that are links into /usr on a merged-/usr system, or bound read-only otherwise. */
const TOP_LEVEL = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** /etc entries programs read: users and groups, name service, dynamic linker, time zone, TLS, Java. */
const ETC_ALLOWED = [
  'passwd',
  'group',
  'nsswitch.conf',
  'host.conf',
  'gai.conf',
  'services',
  'protocols',
  'networks',
  'ethertypes',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'timezone',
  'mime.types',
  'mailcap',
  'ssl',
  'ca-certificates',
  'ca-certificates.conf',
  'alternatives',
  'os-release',
  'debian_version',
  'shells',
  'profile',
  'bash.bashrc',
  'inputrc',
  'terminfo',
  'login.defs',
  'environment',
  'fonts',
  'xml',
  'magic',
];

/** /etc entries matched by prefix (Java installs /etc/java-17-openjdk, linked from its conf dir). */
const ETC_PREFIXES = ['java-'];

interface RootView {
  /** Read-only binds: node path → same path in the container. */
  binds: { source: string; destination: string }[];
  /** Links to create in the root directory (merged /usr). */
  links: { path: string; target: string }[];
}

interface HostEntry {
  name: string;
  kind: 'dir' | 'file' | 'link';
  target?: string;
}

/** The root view from what the node has at / and /etc (pure). */
export function rootView(top: HostEntry[], etc: HostEntry[], imagePaths: string[]): RootView {
  const binds: RootView['binds'] = [{ source: '/usr', destination: '/usr' }];
  const links: RootView['links'] = [];
  for (const e of top) {
    if (!TOP_LEVEL.includes(e.name)) continue;
    if (e.kind === 'link' && e.target) links.push({ path: e.name, target: e.target });
    else if (e.kind === 'dir') binds.push({ source: `/${e.name}`, destination: `/${e.name}` });
  }
  for (const e of etc) {
    if (ETC_ALLOWED.includes(e.name) || ETC_PREFIXES.some((p) => e.name.startsWith(p)))
      binds.push({ source: `/etc/${e.name}`, destination: `/etc/${e.name}` });
  }
  for (const p of imagePaths) {
    if (!binds.some((b) => p === b.destination || p.startsWith(`${b.destination}/`)))
      binds.push({ source: p, destination: p });
  }
  return { binds, links };
}

/** What a privileged container sees: the node's whole tree except its kernel file systems (pure). */
export function privilegedView(top: HostEntry[]): RootView {
  const binds: RootView['binds'] = [];
  const links: RootView['links'] = [];
  for (const e of top) {
    if (['proc', 'sys', 'dev'].includes(e.name)) continue;
    if (e.kind === 'link' && e.target) links.push({ path: e.name, target: e.target });
    else if (e.kind === 'dir') binds.push({ source: `/${e.name}`, destination: `/${e.name}` });
  }
  return { binds, links };
}

/** The node's tree for a privileged container. */
export function hostPrivilegedView(): RootView {
  return privilegedView(listHost('/'));
}

function listHost(dir: string): HostEntry[] {
  return readdirSync(dir).map((name) => {
    const st = lstatSync(join(dir, name));
    if (st.isSymbolicLink()) return { name, kind: 'link', target: readlinkSync(join(dir, name)) };
    return { name, kind: st.isDirectory() ? 'dir' : 'file' };
  });
}

/** Reads / and /etc of this node and computes the view (image paths that do not exist are skipped). */
export function hostRootView(imagePaths: string[]): RootView {
  return rootView(
    listHost('/'),
    listHost('/etc').filter((e) => e.kind !== 'link' || existsSync(join('/etc', e.name))),
    imagePaths.filter((p) => existsSync(p)),
  );
}

/** Makes the empty root directory with the view's links (idempotent). */
export function ensureRootDir(rootfs: string, view: RootView): void {
  mkdirSync(rootfs, { recursive: true, mode: 0o755 });
  for (const l of view.links) {
    if (!existsSync(join(rootfs, l.path)) && !isLink(join(rootfs, l.path))) symlinkSync(l.target, join(rootfs, l.path));
  }
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

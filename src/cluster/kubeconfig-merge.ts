/**
 * `podnet up --merge-kubeconfig` and `down`: the cluster's entries (cluster,
 * user and context, all named podnet-<name>) copied into the user's
 * kubeconfig and taken out again, as kind does. Entries of other names are
 * left exactly as they were. The merge is pure; reading and writing the
 * file (atomically, mode 0600) is the thin part.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

type Entry = { name?: unknown; [k: string]: unknown };
type Config = {
  clusters?: Entry[];
  users?: Entry[];
  contexts?: Entry[];
  'current-context'?: string;
  [k: string]: unknown;
};
const LISTS = ['clusters', 'users', 'contexts'] as const;

/** Where kubectl writes: the first file of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigTarget(env: NodeJS.ProcessEnv = process.env): string {
  const first = env['KUBECONFIG']?.split(delimiter).find(Boolean);
  return first ?? join(homedir(), '.kube', 'config');
}

function asConfig(v: unknown, what: string): Config {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} is not a kubeconfig (not a mapping)`);
  const c = v as Config;
  for (const l of LISTS)
    if (c[l] !== undefined && c[l] !== null && !Array.isArray(c[l])) throw new Error(`${what}: ${l} must be a list`);
  return c;
}

/** `target` with `source`'s entries named `name` put in (replacing same-named ones) and made the current context. */
export function mergeEntries(target: Config, source: Config, name: string): Config {
  const out: Config = { apiVersion: 'v1', kind: 'Config', preferences: {}, ...target };
  for (const l of LISTS) {
    const mine = (source[l] ?? []).filter((e) => e.name === name);
    if (!mine.length) throw new Error(`the cluster's kubeconfig has no ${l.slice(0, -1)} "${name}"`);
    out[l] = [...(target[l] ?? []).filter((e) => e.name !== name), ...mine];
  }
  out['current-context'] = name;
  return out;
}

/** `target` without the entries named `name`; a current context of that name is cleared, as kind does. */
export function removeEntries(target: Config, name: string): Config {
  const out: Config = { ...target };
  for (const l of LISTS) if (target[l]) out[l] = target[l].filter((e) => e.name !== name);
  if (out['current-context'] === name) out['current-context'] = '';
  return out;
}

const readConfig = (path: string): Config =>
  existsSync(path) ? asConfig(parse(readFileSync(path, 'utf8')), path) : {};

function writeConfig(path: string, c: Config): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.podnet-${process.pid}.tmp`;
  writeFileSync(tmp, stringify(c), { mode: 0o600 });
  renameSync(tmp, path);
}

/** Copies the cluster's entries from its own kubeconfig into `target` and makes its context current. */
export function mergeKubeconfig(target: string, clusterKubeconfig: string, name: string): void {
  const source = asConfig(parse(readFileSync(clusterKubeconfig, 'utf8')), clusterKubeconfig);
  writeConfig(target, mergeEntries(readConfig(target), source, name));
}

/** Takes the cluster's entries out of `target`; false when there were none (or no file). */
export function unmergeKubeconfig(target: string, name: string): boolean {
  if (!existsSync(target)) return false;
  const c = readConfig(target);
  if (!LISTS.some((l) => c[l]?.some((e) => e.name === name))) return false;
  writeConfig(target, removeEntries(c, name));
  return true;
}

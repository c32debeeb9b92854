/**
 * Field paths and field sets in the FieldsV1 form kube stores in
 * metadata.managedFields (sigs.k8s.io/structured-merge-diff): a path is a
 * list of elements, each `f:<field>`, `k:<json of key fields>` (an item of a
 * map-type list), `v:<json value>` (an item of a set) or `i:<index>`. A set
 * holds member paths; FieldsV1 nests them, `{}` for a leaf member and
 * `".": {}` for a member that also has members below it.
 */
import { isMap } from '../json-value.js';

/** One path element in its FieldsV1 spelling, e.g. `f:spec`, `k:{"name":"nginx"}`, `v:"a"`. */
type PathElement = string;
export type FieldPath = PathElement[];

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: unknown): PathElement => `v:${JSON.stringify(v)}`;
/** `k:` element of a map-list item; key fields sorted by name as structured-merge-diff does. */
export function keyElement(fields: Record<string, unknown>): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(fields).sort()) sorted[k] = fields[k];
  return `k:${JSON.stringify(sorted)}`;
}

const pathKey = (p: FieldPath): string => JSON.stringify(p);

/** A set of member paths. Immutable-by-convention: operations return new sets. */
export class FieldSet {
  private readonly paths = new Map<string, FieldPath>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  insert(p: FieldPath): void {
    this.paths.set(pathKey(p), p);
  }

  has(p: FieldPath): boolean {
    return this.paths.has(pathKey(p));
  }

  get size(): number {
    return this.paths.size;
  }

  empty(): boolean {
    return this.paths.size === 0;
  }

  toArray(): FieldPath[] {
    return [...this.paths.values()];
  }

  union(o: FieldSet): FieldSet {
    return new FieldSet([...this.toArray(), ...o.toArray()]);
  }

  difference(o: FieldSet): FieldSet {
    return new FieldSet(this.toArray().filter((p) => !o.has(p)));
  }

  intersection(o: FieldSet): FieldSet {
    return new FieldSet(this.toArray().filter((p) => o.has(p)));
  }

  filter(keep: (p: FieldPath) => boolean): FieldSet {
    return new FieldSet(this.toArray().filter(keep));
  }

  /** True if `p` or any path below it is a member. */
  hasPrefixOf(p: FieldPath): boolean {
    for (const q of this.paths.values()) if (q.length >= p.length && p.every((e, i) => q[i] === e)) return true;
    return false;
  }

  /**
   * Members in structured-merge-diff's iteration order: at each level the
   * members (sorted), then the children's contents (sorted), depth first.
   */
  ordered(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: TreeNode, prefix: FieldPath) => {
      const names = [...node.children.keys()].sort(comparePathElements);
      for (const n of names) if (node.children.get(n)!.member) out.push([...prefix, n]);
      for (const n of names) {
        const child = node.children.get(n)!;
        if (child.children.size) walk(child, [...prefix, n]);
      }
    };
    walk(buildTree(this), []);
    return out;
  }

  /** The FieldsV1 JSON form, keys sorted as kube serializes them. */
  toFieldsV1(): Record<string, unknown> {
    const emit = (node: TreeNode, includeSelf: boolean): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      if (includeSelf && node.member && node.children.size) o['.'] = {};
      for (const n of [...node.children.keys()].sort(comparePathElements)) {
        const child = node.children.get(n)!;
        o[n] = child.children.size ? emit(child, true) : {};
      }
      return o;
    };
    return emit(buildTree(this), false);
  }

  /** Parses FieldsV1; unknown shapes (non-objects) are ignored rather than trusted. */
  static fromFieldsV1(v: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: unknown, prefix: FieldPath) => {
      if (!isMap(node)) return;
      for (const [k, child] of Object.entries(node)) {
        if (k === '.') {
          if (prefix.length) set.insert(prefix);
          continue;
        }
        const p = [...prefix, k];
        if (isMap(child) && Object.keys(child).length === 0) set.insert(p);
        else walk(child, p);
      }
    };
    walk(v, []);
    return set;
  }
}

interface TreeNode {
  member: boolean;
  children: Map<string, TreeNode>;
}

function buildTree(set: FieldSet): TreeNode {
  const root: TreeNode = { member: false, children: new Map() };
  for (const p of set.toArray()) {
    let node = root;
    for (const e of p) {
      let next = node.children.get(e);
      if (!next) node.children.set(e, (next = { member: false, children: new Map() }));
      node = next;
    }
    node.member = true;
  }
  return root;
}

const RANKS: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };
const elementRank = (e: PathElement): number => RANKS[e[0]!] ?? 4;

/** structured-merge-diff's PathElement ordering: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra - rb;
  // Two fields: same "f:" prefix, so the whole strings compare as the names do (no slicing).
  if (ra === 0) return a < b ? -1 : a > b ? 1 : 0;
  const va = a.slice(2);
  const vb = b.slice(2);
  if (ra === 0) return va < vb ? -1 : va > vb ? 1 : 0;
  if (ra === 3) return Number(va) - Number(vb);
  return compareValues(JSON.parse(va), JSON.parse(vb));
}

const valueRank = (v: unknown): number =>
  v === null
    ? 0
    : typeof v === 'number'
      ? 1
      : typeof v === 'string'
        ? 2
        : typeof v === 'boolean'
          ? 3
          : Array.isArray(v)
            ? 4
            : 5;

function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (isMap(a) && isMap(b)) {
    // Key field lists: name by name, then value by value; the shorter list first.
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
      const c = compareValues(a[ka[i]!], b[kb[i]!]);
      if (c) return c;
    }
    return ka.length - kb.length;
  }
  return JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0;
}

/** A value as structured-merge-diff prints it in paths: strings quoted, numbers and bools bare. */
function valueString(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : isMap(v) || Array.isArray(v) ? JSON.stringify(v) : String(v);
}

/**
 * The path as kube prints it in conflicts, e.g.
 * `.spec.ports[port=80,protocol="TCP"].targetPort`, `.metadata.finalizers[="a"]`.
 */
export function pathString(p: FieldPath): string {
  return p
    .map((e) => {
      const body = e.slice(2);
      switch (e[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.keys(key)
            .map((k) => `${k}=${valueString(key[k])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${valueString(JSON.parse(body))}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}

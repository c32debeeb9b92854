/**
 * The diff Kubernetes appends to "pod updates may not change fields other than ...".
 * Kubernetes prints go-cmp's diff of the internal PodSpec; we print the same
 * shape (- old / + new per changed field path) so users see what they changed.
 */
import { isObj } from './field.js';

function walk(path: string, a: unknown, b: unknown, out: string[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(`${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => walk(`${path}[${i}]`, x, b[i], out));
    return;
  }
  if (a !== undefined) out.push(`-\t${path}: ${JSON.stringify(a)}`);
  if (b !== undefined) out.push(`+\t${path}: ${JSON.stringify(b)}`);
}

/** A line-per-change diff from the old spec to the new one. */
export function podSpecDiff(oldSpec: unknown, newSpec: unknown): string {
  const out: string[] = [];
  walk('spec', oldSpec, newSpec, out);
  return `  core.PodSpec{\n${out.map((l) => `  ${l}`).join('\n')}\n  }\n`;
}

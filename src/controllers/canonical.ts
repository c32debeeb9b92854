/** Order-insensitive comparison of JSON-like values (object keys sorted; arrays keep their order). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k: string, x: unknown): unknown =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Drops what a typed Go object cannot tell from absent: null, [] and {} (apiequality.Semantic's view). */
function semantic(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(semantic);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = semantic(x);
    if (s === null || s === undefined) continue;
    if (Array.isArray(s) && s.length === 0) continue;
    if (typeof s === 'object' && !Array.isArray(s) && Object.keys(s).length === 0) continue;
    out[k] = s;
  }
  return out;
}

/**
 * canonicalJson of the value as a typed object sees it: kubectl sends a
 * template's `creationTimestamp: null` (rollout undo), and it must compare
 * equal to a template without one.
 */
export function semanticJson(v: unknown): string {
  return canonicalJson(semantic(v));
}

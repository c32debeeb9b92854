/**
 * Kubernetes resource quantities ("100m", "1.5", "128Mi", "1e3") as plain
 * numbers, enough for the downward API's resourceFieldRef.
 */

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  u: 1e-6,
  n: 1e-9,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The quantity's value in base units (cores, bytes); throws on text that is not a quantity. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new Error(`"${q}" is not a resource quantity (expected e.g. "250m", "2", "128Mi", "1G")`);
  const base = Number(m[1]);
  if (m[2]) return Number(m[1] + m[2]);
  return base * SUFFIX[m[3] ?? '']!;
}

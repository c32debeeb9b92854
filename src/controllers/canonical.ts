/** Order-insensitive comparison of JSON-like values (object keys sorted; arrays keep their order). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k: string, x: unknown): unknown =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

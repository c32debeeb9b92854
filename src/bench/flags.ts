/** Flag parsing the benches share. */

/** A whole-number flag from parseArgs values: the fallback when absent, an error naming the flag when not a whole number >= min. */
export function wholeNumberFlag(values: Record<string, unknown>, flag: string, fallback: number, min: number): number {
  const raw = values[flag];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${flag} ${JSON.stringify(raw)}: want a whole number >= ${min}`);
  return n;
}

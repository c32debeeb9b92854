/** Summaries of latency samples (milliseconds), by nearest-rank percentiles. */

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of ascending-sorted samples; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Summarise samples (any order; the input is not modified). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    n: arr.length,
    mean: arr.length ? sum / arr.length : NaN,
    p50: percentile(arr, 50),
    p90: percentile(arr, 90),
    p99: percentile(arr, 99),
    max: arr.length ? arr[arr.length - 1]! : NaN,
  };
}

/** Round to 2 decimals for reports. */
export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The median of the finite samples (the mean of the middle two for an even count); NaN when there are none. */
export function median(samples: readonly number[]): number {
  const s = samples.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * A distribution-free confidence interval for the median: the order
 * statistics [x(k), x(n+1-k)] with k the largest rank such that a
 * Binomial(n, 1/2) count falls below k with probability at most
 * (1 - level) / 2. No assumption about the samples' spread, and no
 * randomness (unlike a bootstrap), so a re-analysis gives the same
 * interval. NaN bounds when n is too small for the level (n < 6 at 95 %).
 */
export function medianInterval(samples: readonly number[], level = 0.95): [number, number] {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const tail = (1 - level) / 2;
  let k = 0;
  let below = 0; // P(B <= k - 1), built term by term
  let term = 0.5 ** n; // P(B = 0)
  while (k < n / 2 && below + term <= tail) {
    below += term;
    term *= (n - k) / (k + 1);
    k += 1;
  }
  return k === 0 ? [NaN, NaN] : [sorted[k - 1]!, sorted[n - k]!];
}

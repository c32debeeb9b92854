/**
 * Side-by-side runs in rotating rounds: one run of every path per round,
 * each round starting with the next path (A B C, then B C A, ...), so
 * drift in the machine's speed hits all paths alike and no path always
 * follows the same one. Ratios are then taken within a round.
 */

interface RoundsOptions<P, R> {
  /** Run once per path before the rounds, not counted (the first run after a pause was often a round's slowest). */
  warmUp?: (path: P) => Promise<unknown>;
  /** Called after each round with its number (from 1) and the results so far (as returned). */
  onRound?: (round: number, results: R[][]) => void;
}

/** results[p][r]: path p's run in round r. */
export async function rotatingRounds<P, R>(
  paths: readonly P[],
  rounds: number,
  runOne: (path: P, round: number) => Promise<R>,
  o: RoundsOptions<P, R> = {},
): Promise<R[][]> {
  const results: R[][] = paths.map(() => []);
  if (o.warmUp) for (const p of paths) await o.warmUp(p);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < paths.length; k++) {
      const p = (r + k) % paths.length;
      results[p]!.push(await runOne(paths[p]!, r));
    }
    o.onRound?.(r + 1, results);
  }
  return results;
}

/** The per-round ratios a[i] / b[i]: a round's runs share its seconds of the machine's drifting speed. */
export const roundRatios = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x / b[i]!);

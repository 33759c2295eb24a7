import { interleaveRounds } from '../src/report/interleave-rounds.ts';
import { median } from '../src/report/spread.ts';

export { median };

/**
 * Measures every variant once per round, `rounds` times, in compare's interleaved order
 * (A B C, C B A, ...): on a shared machine the background load drifts, and interleaving makes
 * each variant see the same drift, so the ratios of one round compare like with like.
 * Returns each variant's figures, round by round.
 */
export async function interleavedRounds<Variant extends string, Figure>(
  variants: readonly Variant[],
  rounds: number,
  measure: (variant: Variant, round: number) => Promise<Figure>,
): Promise<Record<Variant, Figure[]>> {
  const figures = Object.fromEntries(variants.map((variant) => [variant, [] as Figure[]])) as Record<Variant, Figure[]>;
  for (const { cell, round } of interleaveRounds(variants, rounds)) figures[cell].push(await measure(cell, round - 1));
  return figures;
}

/** The median over rounds of `numerator[i] ÷ denominator[i]`: a ratio measured within each round. */
export function medianRatio(numerator: readonly number[], denominator: readonly number[]): number {
  return median(numerator.map((value, round) => value / denominator[round]!));
}

/** The median of some numbers (NaN for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Measures every variant once per round, `rounds` times, reversing the order every other
 * round (A B C, C B A, ...): on a shared machine the background load drifts, and interleaving
 * makes each variant see the same drift, so the ratios of one round compare like with like.
 * Returns each variant's figures, round by round.
 */
export async function interleavedRounds<Variant extends string, Figure>(
  variants: readonly Variant[],
  rounds: number,
  measure: (variant: Variant, round: number) => Promise<Figure>,
): Promise<Record<Variant, Figure[]>> {
  const figures = Object.fromEntries(variants.map((variant) => [variant, [] as Figure[]])) as Record<Variant, Figure[]>;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) figures[variant].push(await measure(variant, round));
  }
  return figures;
}

/** The median over rounds of `numerator[i] ÷ denominator[i]`: a ratio measured within each round. */
export function medianRatio(numerator: readonly number[], denominator: readonly number[]): number {
  return median(numerator.map((value, round) => value / denominator[round]!));
}

import { z } from 'zod';

export const SpreadSchema = z
  .object({ median: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable() })
  .strict()
  .describe('A figure across the rounds of a cell: median, min and max over the rounds that measured it; null when none did.');

/** A figure measured in several rounds: the median and the range (null where no round had a value). */
export type Spread = z.infer<typeof SpreadSchema>;

/** The median of some numbers (NaN for none); the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The spread of one figure across rounds. Rounds without a value (null, NaN: no successful
 * job, no baseline) are left out, so the median is over the rounds that measured something.
 */
export function spreadOf(values: readonly (number | null)[]): Spread {
  const measured = values.filter((value): value is number => value !== null && Number.isFinite(value));
  if (measured.length === 0) return { median: null, min: null, max: null };
  return { median: median(measured), min: Math.min(...measured), max: Math.max(...measured) };
}

/** The median, and the min–max across rounds in brackets when there was more than one round. */
export function formatSpread(value: Spread | null, digits: number, rounds: number, unit = ''): string {
  if (value === null || value.median === null) return 'n/a';
  const median = `${value.median.toFixed(digits)}${unit}`;
  if (rounds <= 1 || value.min === null || value.max === null) return median;
  return `${median} (${value.min.toFixed(digits)}–${value.max.toFixed(digits)})`;
}

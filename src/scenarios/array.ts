import { mulberry32 } from './prng.ts';
import type { Scenario } from './scenario.ts';

export interface ArrayResult {
  count: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
}

/** Statistics over a large seeded array: one pass for moments, a typed-array sort for quantiles. */
export const array: Scenario<ArrayResult> = {
  name: 'array',
  kind: 'cpu',
  description: 'Mean, deviation, extremes and quantiles of a large seeded float64 array in pure JavaScript.',
  size: { min: 1_000, max: 20_000_000, default: 500_000, unit: 'elements' },
  async run(count) {
    const random = mulberry32(count);
    const values = new Float64Array(count);
    // Sum of three uniforms: a cheap bell-shaped distribution.
    for (let i = 0; i < count; i++) values[i] = random() + random() + random();

    let mean = 0;
    let m2 = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < count; i++) {
      const value = values[i]!;
      const delta = value - mean;
      mean += delta / (i + 1);
      m2 += delta * (value - mean);
      if (value < min) min = value;
      if (value > max) max = value;
    }
    values.sort();
    return {
      count,
      mean,
      stddev: Math.sqrt(m2 / count),
      min,
      max,
      p50: values[Math.floor(0.5 * (count - 1))]!,
      p99: values[Math.floor(0.99 * (count - 1))]!,
    };
  },
};

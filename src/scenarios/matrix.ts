import { mulberry32 } from './prng.ts';
import type { Scenario } from './scenario.ts';

export interface MatrixResult {
  n: number;
  /** Sum of all entries of A×B: equal everywhere because the arithmetic order is fixed. */
  checksum: number;
}

function randomMatrix(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < matrix.length; i++) matrix[i] = random() * 2 - 1;
  return matrix;
}

/** Dense N×N float64 multiply in plain JavaScript (i-k-j order, so the inner loop is sequential in memory). */
export function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[row + k]!;
      const bRow = k * n;
      for (let j = 0; j < n; j++) c[row + j]! += aik * b[bRow + j]!;
    }
  }
  return c;
}

/**
 * The checksum loop, kept out of run(). Inside run(), V8 compiled run() on stack replacement
 * while it was still in the multiply, before this loop had any type feedback, and then
 * deoptimized at this loop on every job (--trace-deopt: "Insufficient type feedback for generic
 * named access" at `values.length`, dozens of times per worker). Moving it here took a matrix
 * 200 job from 15–18 ms to 9–12 ms; `run matrix --strategy sequential` went from 58 to 99 jobs/s.
 */
function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

export const matrix: Scenario<MatrixResult> = {
  name: 'matrix',
  kind: 'cpu',
  description: 'Dense N×N float64 matrix multiply in pure JavaScript (seeded inputs).',
  size: { min: 2, max: 1024, default: 200, unit: 'N (rows = columns)' },
  async run(n) {
    const product = multiply(randomMatrix(n, n), randomMatrix(n, n + 1), n);
    return { n, checksum: sum(product) };
  },
};

/** What every benchmark in bench/ is: a named, time-bounded measurement that yields ratios. */

/** How long a benchmark may take: `quick` is a smoke run of a few seconds per benchmark. */
export interface BenchContext {
  readonly quick: boolean;
  /** os.availableParallelism(): the physical limit of any speed-up here. */
  readonly cores: number;
  /** Progress for the person watching (stderr), never part of the results. */
  log(line: string): void;
  /** `--duration`, `--chaos`, `--faults` from the command line, for the benchmarks that take them (soak). */
  readonly options?: { readonly duration?: string | undefined; readonly chaos?: string | undefined; readonly faults?: string | undefined } | undefined;
}

/** A goal printed next to a figure; missing it is reported, never a failure of the run. */
export interface Target {
  /** For humans, e.g. "≥ 1.70 (0.85 × 2 cores)". */
  readonly description: string;
  readonly met: boolean;
}

/** One figure of one benchmark. */
export interface Measurement {
  /** What was measured, e.g. "matrix threads ÷ sequential". */
  readonly name: string;
  readonly value: number;
  /** "×" for ratios, "jobs/s", "ms", ... */
  readonly unit: string;
  readonly target?: Target | undefined;
  /** The raw figures behind a ratio, for the JSON file and the curious. */
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

export interface Benchmark {
  /** The name on the command line: `npm run bench -- <name>`. */
  readonly name: string;
  readonly description: string;
  /** Run only when named (`npm run bench -- soak`), not in a run of everything: it takes minutes of its own. */
  readonly onlyByName?: boolean;
  run(context: BenchContext): Promise<Measurement[]>;
}

/** A target of the form value ≥ bound. */
export function atLeast(value: number, bound: number, description: string): Target {
  return { description: `≥ ${formatNumber(bound)} (${description})`, met: value >= bound };
}

/** A target of the form value ≤ bound. */
export function atMost(value: number, bound: number, description: string): Target {
  return { description: `≤ ${formatNumber(bound)} (${description})`, met: value <= bound };
}

/** Three significant figures, without exponents: 0.0123, 1.23, 123, 12345. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

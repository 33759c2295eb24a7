import type { JobObserver } from '../jobs/job-observer.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import type { ResolvedCompareFaults } from './compare-faults.ts';
import type { PythonInterpreter } from './python-schema.ts';
import type { TelemetryState, TracedSide } from './telemetry-overhead.ts';

/** What `concurrency-lab compare` measures, after defaults are applied and checked. */
export interface ResolvedCompareOptions {
  /** Measured time per round of a cell. */
  readonly durationMs: number;
  /** Unmeasured time per round before the measured run (JIT, connections, caches). */
  readonly warmupMs: number;
  /** Rounds of every CPU cell, interleaved across the compared strategies (A B C, C B A, …). */
  readonly rounds: number;
  /** Rounds of every I/O cell (one http level on one strategy), interleaved the same way. */
  readonly ioRounds: number;
  readonly scenarios: readonly ScenarioName[];
  readonly strategies: readonly StrategyName[];
  /** Folder for report.md, report.json and chart.svg. */
  readonly outDir: string;
  /** The memory budget "how many fit" divides by. */
  readonly memoryBudgetMb: number;
  /** Requests in flight for the http scenario, ascending. */
  readonly ioConcurrency: readonly number[];
  /** Size of the thread and process pools. */
  readonly workers: number;
  /** I/O jobs one pool worker holds at once. */
  readonly ioTasksPerWorker: number;
  /** Size parameter per scenario. */
  readonly sizes: Readonly<Record<ScenarioName, number>>;
  /** Delay of the embedded upstream the http scenario calls (no jitter). */
  readonly upstreamDelayMs: number;
  /** Child processes and worker threads started at once to measure memory per unit. */
  readonly fitSample: number;
  /** The python3 that runs the Python rows (--python); undefined: no Python rows. */
  readonly python?: PythonInterpreter | undefined;
  /** The telemetry the run has, stated in the report (parameters.telemetry). */
  readonly telemetry?: TelemetryState | undefined;
  /** Watches every measured job (--traced: the daemon's job spans and metrics); none by default. */
  readonly observer?: JobObserver | undefined;
  /** --telemetry both: measures each compared cell traced as well, in the same rounds (a child process with the SDK on). */
  readonly tracedSide?: TracedSide | undefined;
  /** The fault preset the http cells run under (--faults); undefined: no faults, no `faults` section. */
  readonly faults?: ResolvedCompareFaults | undefined;
}

export const COMPARE_DEFAULTS = {
  durationMs: 4_000,
  warmupMs: 1_000,
  rounds: 3,
  ioRounds: 1,
  scenarios: ['thumbnail', 'matrix', 'array', 'http'],
  strategies: ['sequential', 'async', 'threads', 'processes'],
  outDir: './compare-report',
  memoryBudgetMb: 1024,
  ioConcurrency: [1, 16, 256, 4096],
  upstreamDelayMs: 50,
  fitSample: 8,
} as const satisfies Partial<Record<keyof ResolvedCompareOptions, unknown>>;

/** Pool size of the one-worker reference (threads) that parallel efficiency divides by. */
export const REFERENCE_WORKERS = 1;

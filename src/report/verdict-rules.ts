import type { WindowFigures } from '../measurement/load-window.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import type { StrategyName } from '../strategies/strategy.ts';

/** What limited a cell, in the order the rules are tried; `none` when no rule fired. */
export const LIMITS = ['memory-bound', 'gc-heavy', 'cpu-main-thread', 'loop-blocked', 'cpu-cores', 'upstream-bound', 'pool-saturated', 'none'] as const;
export type Limit = (typeof LIMITS)[number];

/**
 * Every threshold of the verdicts, in one place (the README's table is written from these).
 * Shares are 0–1.
 */
export const VERDICT_THRESHOLDS = {
  /** memory-bound: memory (daemon + the strategy's children) at least this share of the memory budget. */
  memoryShareOfBudget: 0.8,
  /** gc-heavy: the main thread spent at least this share of the window in garbage collection. */
  gcShare: 0.2,
  /** cpu-main-thread: sequential or async, the main thread's event loop busy at least this share of the window… */
  mainThreadUtilization: 0.9,
  /** …with at most this many jobs running at once on average (they compute one after another, not wait side by side). */
  mainThreadRunningJobs: 1.5,
  /** loop-blocked: the main thread's event-loop delay p99 at least this many milliseconds (any strategy)… */
  loopDelayP99Ms: 100,
  /** …while its loop was busy at least this share (a delay with an idle loop is the machine not scheduling the process). */
  loopBlockedUtilization: 0.5,
  /** cpu-cores: cores used at least this share of the machine's cores (availableParallelism). */
  coresShare: 0.85,
  /** upstream-bound: the threads that ran the jobs (pool workers, or the main thread) busy at most this share while jobs ran: the jobs wait for something outside… */
  waitingUtilization: 0.5,
  /** …with at least this many jobs running on average. */
  waitingRunningJobs: 0.5,
  /** pool-saturated: running jobs at least this share of the strategy's slots… */
  busySlotsShare: 0.75,
  /** …and the jobs waited for a slot at least this many times their run time. */
  queueOverRun: 0.5,
} as const;

/** What the verdict of one cell is decided from: the figures of its window, and where it ran. */
export interface VerdictInput {
  readonly strategy: StrategyName;
  readonly kind: ScenarioKind;
  /** Jobs of this kind the strategy runs at once (Infinity for async). */
  readonly slots: number;
  /** The machine's cores (availableParallelism). */
  readonly cores: number;
  /** Memory the cell may use: the cgroup limit, else the machine's memory. */
  readonly memoryBudgetBytes: number;
  readonly figures: Pick<WindowFigures, 'coresUsed' | 'eventLoopDelayP99Ms' | 'memoryBytes' | 'queueMsMean' | 'runMsMean' | 'busyJobs' | 'mainThreadUtilization' | 'gcShare' | 'jobThreadUtilization'>;
}

export interface Verdict {
  readonly limit: Limit;
  /** The numbers that show it, in one line. */
  readonly evidence: string;
}

const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const percent = (share: number): string => `${Math.round(share * 100)} %`;
const MAIN_THREAD: readonly StrategyName[] = ['sequential', 'async'];

/**
 * What limited a cell, with its evidence: the first rule that holds, in the order of LIMITS.
 * Pure: the daemon's windows, compare's cells and the tests all call it on measured figures.
 */
export function cellVerdict(input: VerdictInput): Verdict {
  const t = VERDICT_THRESHOLDS;
  const { figures: f, cores } = input;
  const loop = `loop p99 ${fixed(f.eventLoopDelayP99Ms)} ms`;
  const coresText = `${fixed(f.coresUsed, 2)} of ${cores} cores`;

  const memoryShare = f.memoryBytes / input.memoryBudgetBytes;
  if (memoryShare >= t.memoryShareOfBudget) {
    return { limit: 'memory-bound', evidence: `${fixed(f.memoryBytes / 2 ** 20, 0)} MB is ${percent(memoryShare)} of the ${fixed(input.memoryBudgetBytes / 2 ** 20, 0)} MB budget` };
  }
  if (f.gcShare >= t.gcShare) {
    return { limit: 'gc-heavy', evidence: `the main thread spent ${percent(f.gcShare)} of the window in GC; ${coresText}` };
  }
  if (MAIN_THREAD.includes(input.strategy) && f.mainThreadUtilization >= t.mainThreadUtilization && f.busyJobs <= t.mainThreadRunningJobs) {
    return { limit: 'cpu-main-thread', evidence: `main thread busy ${percent(f.mainThreadUtilization)} running ${fixed(f.busyJobs)} job at a time, ${coresText}, ${loop}` };
  }
  if (f.eventLoopDelayP99Ms >= t.loopDelayP99Ms && f.mainThreadUtilization >= t.loopBlockedUtilization) {
    return { limit: 'loop-blocked', evidence: `${loop}, main thread busy ${percent(f.mainThreadUtilization)}` };
  }
  if (f.coresUsed >= t.coresShare * cores) {
    return { limit: 'cpu-cores', evidence: `${coresText} busy, ${loop}` };
  }
  // Only I/O jobs wait for an upstream: a CPU job whose JavaScript thread idles while it runs
  // waits for native threads (sharp on libuv's pool), which cores and slots already describe.
  if (input.kind === 'io' && f.busyJobs >= t.waitingRunningJobs && f.jobThreadUtilization <= t.waitingUtilization) {
    const where = MAIN_THREAD.includes(input.strategy) ? 'the main thread' : 'their workers';
    return { limit: 'upstream-bound', evidence: `${fixed(f.busyJobs)} jobs running, ${where} busy ${percent(f.jobThreadUtilization)}: they wait (${fixed(f.runMsMean)} ms each); ${coresText}` };
  }
  const busyShare = Number.isFinite(input.slots) ? f.busyJobs / input.slots : 0;
  if (busyShare >= t.busySlotsShare && f.queueMsMean >= t.queueOverRun * f.runMsMean) {
    return { limit: 'pool-saturated', evidence: `${fixed(f.busyJobs)} of ${input.slots} slots busy, queue wait ${fixed(f.queueMsMean)} ms vs run ${fixed(f.runMsMean)} ms; ${coresText}` };
  }
  return { limit: 'none', evidence: `${coresText}, ${loop}, ${fixed(f.busyJobs)} jobs running` };
}

/** The memory a cell may use: the cgroup limit when there is one below the machine's memory, else the machine's memory. */
export function memoryBudgetBytes(totalMemoryBytes: number, constrainedBytes: number | undefined): number {
  return constrainedBytes !== undefined && constrainedBytes > 0 && constrainedBytes < totalMemoryBytes ? constrainedBytes : totalMemoryBytes;
}

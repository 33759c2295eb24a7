import type { LoadResult } from '../measurement/closed-loop.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import { strategySlots } from '../strategies/strategy-slots.ts';
import { REFERENCE_WORKERS } from './compare-options.ts';
import type { PlannedRun } from './compare-plan.ts';
import type { CellRecord, RunRecord } from './report-schema.ts';
import { cellSpeedUpsAboveCores } from './speed-up-flags.ts';
import { spreadOf } from './spread.ts';
import { cellVerdict } from './verdict-rules.ts';

/** One round as planned and as measured. */
export interface MeasuredRun {
  readonly planned: PlannedRun;
  /** Place of this round among all the compare's steps (Python rounds included), from 1. */
  readonly position: number;
  readonly result: LoadResult;
}

export interface SummarizeRoundsOptions {
  /** I/O jobs one pool worker held at once. */
  readonly ioTasksPerWorker: number;
  /** availableParallelism(): a speed-up above it is flagged. */
  readonly cores: number;
  /** The memory a cell may use, for its verdict. */
  readonly memoryBudgetBytes: number;
}

interface KindedRecord {
  readonly kind: ScenarioKind;
  readonly record: RunRecord;
}

/** JSON has no NaN: a percentile with no successful job is null. */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function cellKey(run: Pick<RunRecord, 'scenario' | 'strategy' | 'workers' | 'concurrency'>): string {
  return `${run.scenario}/${run.strategy}/${run.workers}/${run.concurrency}`;
}

function rawRecord({ planned, position, result }: MeasuredRun): RunRecord {
  const { latencyMs } = result;
  return {
    scenario: planned.scenario,
    strategy: planned.strategy,
    size: planned.size,
    concurrency: planned.concurrency,
    workers: planned.workers,
    reference: planned.reference,
    round: planned.round,
    position,
    jobs: result.jobs,
    ok: result.ok,
    errors: result.errors,
    wallSeconds: result.wallSeconds,
    jobsPerSecond: result.jobsPerSecond,
    latencyMs: { p50: finite(latencyMs.p50), p90: finite(latencyMs.p90), p99: finite(latencyMs.p99), max: finite(latencyMs.max), mean: finite(latencyMs.mean) },
    coresUsed: result.coresUsed,
    eventLoopDelayP99Ms: result.eventLoopDelayP99Ms,
    memoryBytes: result.memoryBytes,
    queueMsMean: finite(result.queueMsMean),
    runMsMean: finite(result.runMsMean),
    busyJobs: result.busyJobs,
    mainThreadUtilization: result.mainThreadUtilization,
    gcShare: result.gcShare,
    jobThreadUtilization: result.jobThreadUtilization,
    speedUpOverSequential: null,
    efficiency: null,
  };
}

const isPool = (strategy: string): boolean => strategy === 'threads' || strategy === 'processes';

/**
 * Ratios within a round: each round's speed-up divides by the sequential run of the same
 * round (CPU: the scenario's; http: at the same concurrency), and each pool's efficiency by
 * the one-worker reference of the same round, so both sides of a ratio saw the same stretch of
 * a drifting machine.
 */
function withRatios(all: readonly KindedRecord[]): RunRecord[] {
  const find = (predicate: (other: KindedRecord) => boolean): RunRecord | undefined => all.find(predicate)?.record;
  return all.map(({ kind, record }) => {
    const sameRound = (other: KindedRecord): boolean => other.kind === kind && other.record.scenario === record.scenario && other.record.round === record.round;
    const sequential = find((other) => sameRound(other) && other.record.strategy === 'sequential' && (kind === 'cpu' || other.record.concurrency === record.concurrency));
    const reference = kind === 'cpu' && isPool(record.strategy) ? find((other) => sameRound(other) && other.record.strategy === 'threads' && other.record.workers === REFERENCE_WORKERS) : undefined;
    return {
      ...record,
      speedUpOverSequential: sequential === undefined || sequential.jobsPerSecond <= 0 ? null : record.jobsPerSecond / sequential.jobsPerSecond,
      efficiency: reference === undefined || reference.jobsPerSecond <= 0 ? null : record.jobsPerSecond / (record.workers * reference.jobsPerSecond),
    };
  });
}

function sumErrors(runs: readonly RunRecord[]): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const run of runs) for (const [code, count] of Object.entries(run.errors)) errors[code] = (errors[code] ?? 0) + count;
  return errors;
}

function summarize(kind: ScenarioKind, runs: readonly RunRecord[], options: SummarizeRoundsOptions): CellRecord {
  const first = runs[0]!;
  const spread = (figure: (run: RunRecord) => number | null) => spreadOf(runs.map(figure));
  const ratio = (figure: (run: RunRecord) => number | null) => (runs.every((run) => figure(run) === null) ? null : spread(figure));
  const slots = strategySlots(first.strategy, { workers: first.workers, ioTasksPerWorker: options.ioTasksPerWorker })[kind];
  const median = (figure: (run: RunRecord) => number | null): number => spread(figure).median ?? Number.NaN;
  const verdict = cellVerdict({
    strategy: first.strategy,
    kind,
    slots,
    cores: options.cores,
    memoryBudgetBytes: options.memoryBudgetBytes,
    figures: {
      coresUsed: median((run) => run.coresUsed),
      eventLoopDelayP99Ms: median((run) => run.eventLoopDelayP99Ms),
      memoryBytes: median((run) => run.memoryBytes),
      queueMsMean: median((run) => run.queueMsMean),
      runMsMean: median((run) => run.runMsMean),
      busyJobs: median((run) => run.busyJobs),
      mainThreadUtilization: median((run) => run.mainThreadUtilization),
      gcShare: median((run) => run.gcShare),
      jobThreadUtilization: median((run) => run.jobThreadUtilization),
    },
  });
  const cell: CellRecord = {
    scenario: first.scenario,
    strategy: first.strategy,
    size: first.size,
    concurrency: first.concurrency,
    workers: first.workers,
    reference: first.reference,
    tasksPerWorker: isPool(first.strategy) ? strategySlots(first.strategy, { workers: first.workers, ioTasksPerWorker: options.ioTasksPerWorker })[kind] / first.workers : null,
    rounds: runs.length,
    jobs: runs.reduce((sum, run) => sum + run.jobs, 0),
    ok: runs.reduce((sum, run) => sum + run.ok, 0),
    errors: sumErrors(runs),
    jobsPerSecond: spread((run) => run.jobsPerSecond),
    latencyMs: {
      p50: spread((run) => run.latencyMs.p50),
      p90: spread((run) => run.latencyMs.p90),
      p99: spread((run) => run.latencyMs.p99),
      max: spread((run) => run.latencyMs.max),
      mean: spread((run) => run.latencyMs.mean),
    },
    coresUsed: spread((run) => run.coresUsed),
    eventLoopDelayP99Ms: spread((run) => run.eventLoopDelayP99Ms),
    memoryBytes: spread((run) => run.memoryBytes),
    speedUpOverSequential: ratio((run) => run.speedUpOverSequential),
    efficiency: ratio((run) => run.efficiency),
    speedUpAboveCores: false,
    verdict,
    runs: [...runs],
  };
  return kind === 'cpu' ? { ...cell, speedUpAboveCores: cellSpeedUpsAboveCores(cell, options.cores).length > 0 } : cell;
}

/**
 * Turns the measured rounds (in the order they ran) into one record per cell: the median and
 * min–max of every figure across its rounds, with the raw rounds kept. Cells come in the
 * order of their first round, so per scenario the compared strategies, then the reference.
 */
export function summarizeRounds(measured: readonly MeasuredRun[], options: SummarizeRoundsOptions): { cpu: CellRecord[]; io: CellRecord[] } {
  const kinded = measured.map((run) => ({ kind: run.planned.kind, record: rawRecord(run) }));
  const records = withRatios(kinded);
  const groups = new Map<string, { kind: ScenarioKind; runs: RunRecord[] }>();
  records.forEach((record, index) => {
    const key = `${kinded[index]!.kind}/${cellKey(record)}`;
    const group = groups.get(key) ?? { kind: kinded[index]!.kind, runs: [] };
    group.runs.push(record);
    groups.set(key, group);
  });
  const cells = [...groups.values()].map(({ kind, runs }) => ({ kind, cell: summarize(kind, runs.toSorted((a, b) => a.round - b.round), options) }));
  return { cpu: cells.filter((c) => c.kind === 'cpu').map((c) => c.cell), io: cells.filter((c) => c.kind === 'io').map((c) => c.cell) };
}

import { getScenario, type ScenarioName } from '../scenarios/catalog.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import { defaultConcurrency } from '../jobs/default-concurrency.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { strategySlots } from '../strategies/strategy-slots.ts';
import { REFERENCE_WORKERS, type ResolvedCompareOptions } from './compare-options.ts';
import { howManyFitExpectedSeconds } from './how-many-fit.ts';
import { interleaveRounds } from './interleave-rounds.ts';
import { PYTHON_WORKLOADS, type PythonRun } from './python-schema.ts';

/** A cell of the compare: a scenario on a strategy (of a pool size) at a concurrency, measured in one or more rounds. */
export interface PlannedCell {
  readonly kind: ScenarioKind;
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  readonly size: number;
  /** Jobs kept in flight. */
  readonly concurrency: number;
  /** Pool size: the compare's workers, or 1 for the one-worker reference. */
  readonly workers: number;
  /** Whether this cell is the one-worker reference (threads, 1 worker) that parallel efficiency divides by. */
  readonly reference: boolean;
  /** Rounds this cell is measured in. */
  readonly rounds: number;
}

/** One round of one cell: what one step of the compare measures, on a fresh strategy. */
export interface PlannedRun extends PlannedCell {
  /** This run's round of its cell, from 1. */
  readonly round: number;
  /** Estimate for the progress display: pool start, warm-up, measured run and the closed loop's tail. */
  readonly expectedSeconds: number;
}

/** A Python row of the compare (python/reference.py): the talk's code on one of its models, measured in one or more rounds. */
export interface PlannedPythonCell {
  readonly workload: PythonRun['workload'];
  readonly model: PythonRun['model'];
  readonly size: number;
  /** Jobs kept in flight. */
  readonly concurrency: number;
  /** Rounds this row is measured in: those of the Node cells of its scenario. */
  readonly rounds: number;
}

/** One round of one Python row. */
export interface PlannedPythonRun extends PlannedPythonCell {
  readonly round: number;
  readonly expectedSeconds: number;
}

/** One step of the compare, in the order they run: a Node round or a Python round among them. */
export type PlannedStep = { readonly language: 'node'; readonly run: PlannedRun } | { readonly language: 'python'; readonly run: PlannedPythonRun };

/** A combination left out, and why. */
export interface SkippedRun {
  readonly scenario: ScenarioName;
  readonly strategy: StrategyName;
  readonly concurrency: number;
  readonly reason: string;
}

export interface ComparePlan {
  /** Every round of every Node cell and Python row, in the order they run. */
  readonly steps: readonly PlannedStep[];
  /** The Node rounds among the steps, in the same order. */
  readonly runs: readonly PlannedRun[];
  readonly skipped: readonly SkippedRun[];
  readonly estimatedSeconds: number;
}

/** Jobs in flight for CPU scenarios: twice the slots of a pool, so no worker waits for its next job. */
export function cpuConcurrency(workers: number): number {
  return defaultConcurrency('cpu', workers);
}

/** Slots a job of `kind` gets on `strategy`, known without starting a pool. */
function slotsOf(strategy: StrategyName, kind: ScenarioKind, options: ResolvedCompareOptions): number {
  return strategySlots(strategy, { workers: options.workers, ioTasksPerWorker: options.ioTasksPerWorker })[kind];
}

/** Rough start-up cost of a fresh strategy: loading the scenarios in every worker. */
function startSeconds(strategy: StrategyName, workers: number): number {
  if (strategy === 'processes') return 1 + 0.4 * workers;
  if (strategy === 'threads') return 0.3 + 0.1 * workers;
  return 0;
}

/**
 * Time for the jobs still in flight at the deadline to finish: a closed loop stops starting
 * jobs at the deadline but waits for those it started. For http with few slots the queue
 * drains at `slots` requests per upstream delay.
 */
function tailSeconds(kind: ScenarioKind, concurrency: number, slots: number, delayMs: number): number {
  if (kind === 'cpu') return 0.3;
  return (Math.ceil(concurrency / Math.min(slots, concurrency)) * delayMs) / 1000;
}

/**
 * Why an http level is left out for a strategy, or undefined when it runs. Sequential runs one
 * request at a time by definition, so it is measured at the lowest level only: more in flight
 * would only queue. A pool holds `workers × ioTasksPerWorker` requests at once (256 with the
 * defaults on 2 cores), so it runs at every level; it is skipped only where the requests in
 * flight could not even pass through its slots once within a round (with
 * `--io-tasks-per-worker 1`, 2 workers at 4096 would take 102 s): its throughput would stay at
 * slots ÷ delay and only the latency would grow.
 */
function ioSkipReason(strategy: StrategyName, concurrency: number, options: ResolvedCompareOptions): string | undefined {
  const slots = slotsOf(strategy, 'io', options);
  const rate = ((slots / options.upstreamDelayMs) * 1000).toFixed(0);
  const lowest = options.ioConcurrency[0];
  if (strategy === 'sequential' && concurrency !== lowest) {
    return `sequential runs one request at a time, so ${concurrency} in flight only queue: throughput stays at 1 ÷ ${options.upstreamDelayMs} ms = ${rate} req/s (measured at ${lowest}) and latency grows with the queue`;
  }
  const passMs = Math.ceil(concurrency / slots) * options.upstreamDelayMs;
  if (passMs <= options.durationMs) return undefined;
  return (
    `${strategy} runs ${slots} request${slots === 1 ? '' : 's'} at a time, so ${concurrency} in flight need ${(passMs / 1000).toFixed(1)} s to pass through once, ` +
    `longer than the ${options.durationMs / 1000} s round; throughput would stay at ${slots} ÷ ${options.upstreamDelayMs} ms = ${rate} req/s and only the latency would grow`
  );
}

/** Interpreter start, Pool start and stop around a Python row's warm-up and measured time. */
const PYTHON_START_SECONDS = 1;

/**
 * The Python rows of a scenario the talk has Python code for: thumbnail and matrix under
 * sequential, multiprocessing.Pool and ThreadPoolExecutor at the Node CPU cells' concurrency;
 * http under threads (requests) and asyncio (aiohttp) at every level.
 */
function pythonCells(scenario: ScenarioName, options: ResolvedCompareOptions, rounds: number): PlannedPythonCell[] {
  const workload = PYTHON_WORKLOADS.find((name) => name === scenario);
  if (options.python === undefined || workload === undefined) return [];
  const row = (model: PythonRun['model'], concurrency: number): PlannedPythonCell => ({ workload, model, size: options.sizes[scenario]!, concurrency, rounds });
  if (workload === 'http') return options.ioConcurrency.flatMap((concurrency) => [row('threads', concurrency), row('asyncio', concurrency)]);
  const concurrency = cpuConcurrency(options.workers);
  return [row('sequential', 1), row('processes', concurrency), row('threads', concurrency)];
}

/**
 * Whether the CPU scenarios get a one-worker reference cell: when a pool is compared, its
 * efficiency needs one, unless the compared threads pool already has a single worker.
 */
function needsReference(options: ResolvedCompareOptions): boolean {
  const pooled = options.strategies.some((strategy) => strategy === 'threads' || strategy === 'processes');
  return pooled && !(options.workers === REFERENCE_WORKERS && options.strategies.includes('threads'));
}

/**
 * Every round of every cell in the order it runs. Per scenario, the cells' rounds are
 * interleaved (A B C, C B A, …), each round a fresh strategy: CPU scenarios at 2 × workers in
 * flight (enough to keep every slot busy), plus the one-worker threads reference at 2 in
 * flight, `rounds` times; then http at each concurrency level, `ioRounds` times. With
 * --python, the scenario's Python rows take their place among its cells in every round, so
 * Python and Node see the same drift of a shared machine.
 */
export function planCompare(options: ResolvedCompareOptions): ComparePlan {
  const steps: PlannedStep[] = [];
  const skipped: SkippedRun[] = [];
  const cpuScenarios = options.scenarios.filter((name) => getScenario(name).kind === 'cpu');
  const ioScenarios = options.scenarios.filter((name) => getScenario(name).kind === 'io');
  const seconds = (ms: number): number => ms / 1000;

  const cell = (kind: ScenarioKind, scenario: ScenarioName, strategy: StrategyName, concurrency: number, reference = false): PlannedCell => ({
    kind,
    scenario,
    strategy,
    size: options.sizes[scenario]!,
    concurrency,
    workers: reference ? REFERENCE_WORKERS : options.workers,
    reference,
    rounds: kind === 'cpu' ? options.rounds : options.ioRounds,
  });
  const expectedSeconds = (planned: PlannedCell): number => {
    const slots = slotsOf(planned.strategy, planned.kind, { ...options, workers: planned.workers });
    const tail = tailSeconds(planned.kind, planned.concurrency, slots, options.upstreamDelayMs);
    const measuredSeconds = seconds(options.durationMs) + tail + (options.warmupMs > 0 ? seconds(options.warmupMs) + tail : 0);
    return startSeconds(planned.strategy, planned.workers) + measuredSeconds;
  };
  const pythonSeconds = seconds(options.warmupMs + options.durationMs) + PYTHON_START_SECONDS;
  const schedule = (scenario: ScenarioName, cells: readonly PlannedCell[], rounds: number): void => {
    const all: Array<PlannedCell | PlannedPythonCell> = [...cells, ...pythonCells(scenario, options, rounds)];
    if (all.length === 0) return;
    for (const { cell: planned, round } of interleaveRounds(all, rounds)) {
      steps.push('workload' in planned ? { language: 'python', run: { ...planned, round, expectedSeconds: pythonSeconds } } : { language: 'node', run: { ...planned, round, expectedSeconds: expectedSeconds(planned) } });
    }
  };

  for (const scenario of cpuScenarios) {
    const cells = options.strategies.map((strategy) => cell('cpu', scenario, strategy, cpuConcurrency(options.workers)));
    if (needsReference(options)) cells.push(cell('cpu', scenario, 'threads', cpuConcurrency(REFERENCE_WORKERS), true));
    schedule(scenario, cells, options.rounds);
  }
  for (const scenario of ioScenarios) {
    const cells: PlannedCell[] = [];
    for (const strategy of options.strategies) {
      for (const concurrency of options.ioConcurrency) {
        const reason = ioSkipReason(strategy, concurrency, options);
        if (reason === undefined) cells.push(cell('io', scenario, strategy, concurrency));
        else skipped.push({ scenario, strategy, concurrency, reason });
      }
    }
    schedule(scenario, cells, options.ioRounds);
  }
  const upstreamSeconds = ioScenarios.length > 0 ? 1 : 0;
  const estimatedSeconds = upstreamSeconds + howManyFitExpectedSeconds(options.strategies, options.fitSample) + steps.reduce((sum, step) => sum + step.run.expectedSeconds, 0);
  const runs = steps.flatMap((step) => (step.language === 'node' ? [step.run] : []));
  return { steps, runs, skipped, estimatedSeconds };
}

import type { StrategyName } from '../strategies/strategy.ts';
import { errorShareOf, formatErrorShare } from './report-faults.ts';
import type { CellRecord, CompareReport, SpreadRecord } from './report-schema.ts';
import { speedUpsAboveCores } from './speed-up-flags.ts';
import { formatSpread } from './spread.ts';

/** A table as the terminal and report.md both print it. */
export interface Table {
  headers: string[];
  rows: string[][];
}

const MB = 1024 * 1024;
/** The strategies the talk's table has a column for. */
const TALK_STRATEGIES = ['processes', 'threads', 'async'] as const satisfies readonly StrategyName[];
/** Within this share of the best throughput a strategy counts as fastest too: a shared machine is noisy. */
const FASTEST_SHARE = 0.95;

type TalkStrategy = (typeof TALK_STRATEGIES)[number];

const TALK_CLAIMS = {
  runs: { processes: 'in parallel', threads: '"in parallel" (GIL: one core)', async: 'concurrently, one thread' },
  cores: { processes: 'all', threads: 'one', async: 'one' },
  fit: { processes: 'a couple dozen', threads: 'a few hundred', async: 'thousands' },
  goodFor: { processes: 'images, arrays, matrices', threads: 'network I/O', async: 'many network calls' },
} as const satisfies Record<string, Record<TalkStrategy, string>>;

function number(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function errors(cell: CellRecord): string {
  const failed = cell.jobs - cell.ok;
  return failed === 0 ? '0' : `${failed} (${Object.entries(cell.errors).map(([code, count]) => `${code} ×${count}`).join(', ')})`;
}

/** The strategy as a table names it: the one-worker reference says so. */
export function strategyLabel(cell: Pick<CellRecord, 'strategy' | 'workers' | 'reference'>): string {
  return cell.reference ? `${cell.strategy} (${cell.workers} worker)` : cell.strategy;
}

/** Marks a figure the report flags as a measurement problem (see the warnings). */
export const FLAG_MARK = '!';

export function cpuTable(report: CompareReport): Table {
  const flagged = new Set(speedUpsAboveCores(report).map((flag) => `${flag.scenario}/${flag.strategy}/${flag.workers}/${flag.basis}`));
  const mark = (cell: CellRecord, basis: string): string => (flagged.has(`${cell.scenario}/${cell.strategy}/${cell.workers}/${basis}`) ? ` ${FLAG_MARK}` : '');
  return {
    headers: ['scenario', 'strategy', 'rounds', 'jobs/s', 'speed-up', 'efficiency', 'cores used', 'p50 ms', 'p99 ms', 'loop p99 ms', 'errors'],
    rows: report.cpu.map((cell) => [
      cell.scenario,
      strategyLabel(cell),
      String(cell.rounds),
      formatSpread(cell.jobsPerSecond, 1, cell.rounds),
      formatSpread(cell.speedUpOverSequential, 2, cell.rounds, 'x') + mark(cell, 'sequential'),
      formatSpread(cell.efficiency, 2, cell.rounds) + mark(cell, 'one worker'),
      formatSpread(cell.coresUsed, 2, cell.rounds),
      formatSpread(cell.latencyMs.p50, 1, cell.rounds),
      formatSpread(cell.latencyMs.p99, 1, cell.rounds),
      formatSpread(cell.eventLoopDelayP99Ms, 1, cell.rounds),
      errors(cell),
    ]),
  };
}

export function ioTable(report: CompareReport): Table {
  // With a scenario module's I/O scenario (issue 17) the rows are not all http: name each row's scenario.
  const named = report.io.some((cell) => cell.scenario !== 'http');
  return {
    headers: [...(named ? ['scenario'] : []), 'strategy', 'in flight', 'tasks/worker', 'rounds', 'req/s', 'p50 ms', 'p99 ms', 'cores used', 'loop p99 ms', 'error share', 'errors'],
    rows: report.io.map((cell) => [
      ...(named ? [cell.scenario] : []),
      strategyLabel(cell),
      String(cell.concurrency),
      cell.tasksPerWorker === null ? '-' : String(cell.tasksPerWorker),
      String(cell.rounds),
      formatSpread(cell.jobsPerSecond, 1, cell.rounds),
      formatSpread(cell.latencyMs.p50, 1, cell.rounds),
      formatSpread(cell.latencyMs.p99, 1, cell.rounds),
      formatSpread(cell.coresUsed, 2, cell.rounds),
      formatSpread(cell.eventLoopDelayP99Ms, 1, cell.rounds),
      formatErrorShare(errorShareOf(cell)),
      errors(cell),
    ]),
  };
}

export function memoryTable(report: CompareReport): Table {
  return {
    headers: ['unit', 'started', 'MB per unit', 'RSS MB', 'PSS MB', `fit in ${report.memory.budgetMb} MB`],
    rows: report.memory.units.map((unit) => [
      unit.unit,
      String(unit.started),
      (unit.bytesPerUnit / MB).toFixed(3),
      (unit.rssBytesPerUnit / MB).toFixed(3),
      unit.pssBytesPerUnit === null ? 'n/a' : (unit.pssBytesPerUnit / MB).toFixed(3),
      String(unit.fitInBudget),
    ]),
  };
}

/**
 * A warning when other work already kept the machine's cores busy as the compare started: then
 * cores used and throughput are this compare's share of a contended machine, not its capacity.
 */
export function busyMachineWarning(report: Pick<CompareReport, 'machine'>): string | undefined {
  const [load = 0] = report.machine.loadAverageAtStart;
  const cores = report.machine.availableParallelism;
  if (load < cores) return undefined;
  return `The machine was busy when the compare started (load average ${load.toFixed(2)} on ${cores} cores): cores used and throughput below are this compare's share of a contended machine; run it again on an idle one for its capacity.`;
}

/** The compared cells (not the one-worker reference) of a kind. */
function compared(cells: readonly CellRecord[]): CellRecord[] {
  return cells.filter((cell) => !cell.reference);
}

const medianOf = (value: SpreadRecord | null): number => value?.median ?? Number.NaN;

/** How a strategy ran pure-JavaScript work (matrix, else array): on several cores or one. */
function measuredRuns(report: CompareReport, strategy: StrategyName): string {
  const cells = compared(report.cpu);
  const cell = cells.find((r) => r.scenario === 'matrix' && r.strategy === strategy) ?? cells.find((r) => r.scenario === 'array' && r.strategy === strategy);
  if (cell === undefined) return 'not measured';
  const cores = medianOf(cell.coresUsed);
  return `${cores > 1.2 ? 'in parallel' : 'one core or less'}: ${number(cores, 2)} cores on ${cell.scenario}`;
}

function measuredCores(report: CompareReport, strategy: StrategyName): string {
  const cells = compared(report.cpu).filter((cell) => cell.strategy === strategy);
  return cells.length === 0 ? 'not measured' : cells.map((cell) => `${cell.scenario} ${number(medianOf(cell.coresUsed), 2)}`).join(', ');
}

function measuredFit(report: CompareReport, strategy: StrategyName): string {
  const unit = report.memory.units.find((u) => u.strategy === strategy);
  if (unit === undefined) return 'not measured';
  const each = unit.bytesPerUnit >= MB ? `${(unit.bytesPerUnit / MB).toFixed(1)} MB` : `${(unit.bytesPerUnit / 1024).toFixed(1)} KB`;
  return `${unit.fitInBudget} (${each} each)`;
}

/** The scenarios on which a strategy's best throughput was (about) the best of all strategies. */
function fastestOn(report: CompareReport, strategy: StrategyName): string {
  const runs = compared([...report.cpu, ...report.io]);
  const best = (scenario: string, of?: StrategyName): number =>
    Math.max(0, ...runs.filter((run) => run.scenario === scenario && (of === undefined || run.strategy === of)).map((run) => run.jobsPerSecond.median ?? 0));
  const scenarios = [...new Set(runs.map((run) => run.scenario))].filter((scenario) => {
    const own = best(scenario, strategy);
    return own > 0 && own >= FASTEST_SHARE * best(scenario);
  });
  return scenarios.length === 0 ? 'none of the measured scenarios' : scenarios.join(', ');
}

/** The talk's summary table: each of its rows as claimed for Python, then as measured here for Node. */
export function talkTable(report: CompareReport): Table {
  const row = (name: string, cell: (strategy: TalkStrategy) => string): string[] => [name, ...TALK_STRATEGIES.map(cell)];
  return {
    headers: ['', ...TALK_STRATEGIES],
    rows: [
      row('runs (Python, the talk)', (s) => TALK_CLAIMS.runs[s]),
      row('runs (Node, measured)', (s) => measuredRuns(report, s)),
      row('cores (Python, the talk)', (s) => TALK_CLAIMS.cores[s]),
      row('cores used (Node, measured)', (s) => measuredCores(report, s)),
      row('how many fit (Python, the talk)', (s) => TALK_CLAIMS.fit[s]),
      row(`fit in ${report.memory.budgetMb} MB (Node, measured)`, (s) => measuredFit(report, s)),
      row('good for (Python, the talk)', (s) => TALK_CLAIMS.goodFor[s]),
      row('fastest on (Node, measured)', (s) => fastestOn(report, s)),
    ],
  };
}

import type { CellRecord, CompareReport } from './report-schema.ts';

/** A speed-up the machine cannot give: more than its cores. */
export interface SpeedUpFlag {
  readonly scenario: string;
  readonly strategy: string;
  readonly workers: number;
  /** What the speed-up is measured against. */
  readonly basis: 'sequential' | 'one worker';
  /** The median speed-up across rounds. */
  readonly speedUp: number;
  readonly cores: number;
}

type FlaggedFigures = Pick<CellRecord, 'scenario' | 'strategy' | 'workers' | 'speedUpOverSequential' | 'efficiency'>;

/**
 * The speed-ups of one CPU cell above `cores`. N cores can run at most N times the work of
 * one, so such a number says the baseline ran slower than one core's worth (or the run was
 * disturbed): it is a measurement problem, to be reported, not a property of the strategy.
 * Judged on the median across rounds; over one worker, the speed-up is efficiency × workers.
 */
export function cellSpeedUpsAboveCores(cell: FlaggedFigures, cores: number): SpeedUpFlag[] {
  const flags: SpeedUpFlag[] = [];
  const identity = { scenario: cell.scenario, strategy: cell.strategy, workers: cell.workers, cores };
  const overSequential = cell.speedUpOverSequential?.median ?? null;
  if (overSequential !== null && overSequential > cores) flags.push({ ...identity, basis: 'sequential', speedUp: overSequential });
  const efficiency = cell.efficiency?.median ?? null;
  if (efficiency !== null && efficiency * cell.workers > cores) flags.push({ ...identity, basis: 'one worker', speedUp: efficiency * cell.workers });
  return flags;
}

/** Every CPU speed-up of a report above the machine's cores (availableParallelism). */
export function speedUpsAboveCores(report: Pick<CompareReport, 'cpu' | 'machine'>): SpeedUpFlag[] {
  return report.cpu.flatMap((cell) => cellSpeedUpsAboveCores(cell, report.machine.availableParallelism));
}

/** One warning per flagged speed-up, for the terminal, report.md and report.json. */
export function speedUpWarnings(report: Pick<CompareReport, 'cpu' | 'machine'>): string[] {
  return speedUpsAboveCores(report).map(
    (flag) =>
      `${flag.strategy} on ${flag.scenario} measured ${flag.speedUp.toFixed(2)}× ${flag.basis === 'sequential' ? "sequential's" : "one worker's"} throughput on ${flag.cores} core${flag.cores === 1 ? '' : 's'}: ` +
      `more than the cores can give, so this is a measurement problem (the ${flag.basis === 'sequential' ? 'sequential' : 'one-worker'} baseline ran below one core's worth, or the machine's load changed between rounds), not a property of ${flag.strategy}; ` +
      'compare the min–max across rounds and measure again on a quiet machine before reading it.',
  );
}

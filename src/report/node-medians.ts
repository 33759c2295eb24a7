import type { CellRecord } from './report-schema.ts';

/** A Node cell reduced to the medians of its rounds: what the Python comparison reads. */
export interface NodeFigures {
  scenario: string;
  strategy: string;
  concurrency: number;
  jobsPerSecond: number;
  coresUsed: number;
  eventLoopDelayP99Ms: number;
}

/** The compared strategies' cells (not the one-worker reference) as their medians; a figure no round measured is NaN. */
export function nodeMedians(cells: readonly CellRecord[]): NodeFigures[] {
  return cells
    .filter((cell) => !cell.reference)
    .map((cell) => ({
      scenario: cell.scenario,
      strategy: cell.strategy,
      concurrency: cell.concurrency,
      jobsPerSecond: cell.jobsPerSecond.median ?? Number.NaN,
      coresUsed: cell.coresUsed.median ?? Number.NaN,
      eventLoopDelayP99Ms: cell.eventLoopDelayP99Ms.median ?? Number.NaN,
    }));
}

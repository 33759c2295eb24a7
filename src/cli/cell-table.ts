import type { CellWindow } from '../driver/cell-observer.ts';
import { formatTable } from '../report/text-table.ts';

const MB = 1024 * 1024;
const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const errorCount = (window: CellWindow): number => window.figures.jobs - window.figures.ok;

/** One line for a window that just closed. */
export function formatWindowLine(window: CellWindow): string {
  const { cell, figures } = window;
  return (
    `${window.endedAt} ${cell.scenario} on ${cell.strategy}${cell.mix === 'mixed' ? ' (mixed)' : ''}: ${fixed(figures.jobsPerSecond, 1)} jobs/s, ` +
    `p50 ${fixed(figures.latencyMs.p50, 1)} ms, p99 ${fixed(figures.latencyMs.p99, 1)} ms, ${errorCount(window)} errors, ` +
    `${fixed(figures.coresUsed, 2)} cores, loop p99 ${fixed(figures.eventLoopDelayP99Ms, 1)} ms, ${fixed(figures.memoryBytes / MB, 0)} MB` +
    (window.verdict === undefined ? '' : `; ${window.verdict.limit}: ${window.verdict.evidence}`)
  );
}

/** The driver's comparison table: the latest window of every cell, one row each. */
export function formatCellTable(windows: readonly CellWindow[]): string {
  return formatTable(
    ['scenario', 'strategy', 'jobs/s', 'p50 ms', 'p99 ms', 'errors', 'cores', 'loop p99 ms', 'MB', 'limit'],
    windows.map((window) => {
      const { cell, figures } = window;
      return [
        cell.scenario,
        cell.strategy,
        fixed(figures.jobsPerSecond, 1),
        fixed(figures.latencyMs.p50, 1),
        fixed(figures.latencyMs.p99, 1),
        String(errorCount(window)),
        fixed(figures.coresUsed, 2),
        fixed(figures.eventLoopDelayP99Ms, 1),
        fixed(figures.memoryBytes / MB, 0),
        window.verdict?.limit ?? '-',
      ];
    }),
  );
}

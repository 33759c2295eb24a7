import type { Cell, Stage } from '../driver/cell.ts';
import type { CellObserver, CellWindow } from '../driver/cell-observer.ts';
import { LIMITS } from '../report/verdict-rules.ts';
import type { LabMetrics } from './lab-metrics.ts';

const MS_PER_SECOND = 1000;

const labelsOf = (cell: Cell): { scenario: string; strategy: string; mix: string } => ({ scenario: cell.scenario, strategy: cell.strategy, mix: cell.mix });

/**
 * The driver's windows as gauges: each cell's latest window (lab_cell_*), so a dashboard shows
 * the latest comparison whatever runs now, and which cell runs (lab_cell_active). Never throws.
 */
export class CellMetrics implements CellObserver {
  readonly #metrics: LabMetrics;
  readonly #cells: readonly Cell[];
  #warned = false;

  /** @param cells every cell of the driver's cycle: the inactive ones read 0 from the start */
  constructor(metrics: LabMetrics, cells: readonly Cell[]) {
    this.#metrics = metrics;
    this.#cells = cells;
  }

  activate(stage: Stage | undefined): void {
    this.#guard(() => {
      const active = new Set(stage?.cells.map((cell) => `${cell.scenario}/${cell.strategy}`));
      for (const cell of this.#cells) this.#metrics.cellActive.set(labelsOf(cell), active.has(`${cell.scenario}/${cell.strategy}`) ? 1 : 0);
    });
  }

  windowClosed({ cell, figures, verdict }: CellWindow): void {
    this.#guard(() => {
      const labels = labelsOf(cell);
      const metrics = this.#metrics;
      metrics.cellJobsPerSecond.set(labels, figures.jobsPerSecond);
      const { latencyMs } = figures;
      metrics.cellLatency.set(labels, {
        quantiles: [
          ['0.5', latencyMs.p50 / MS_PER_SECOND],
          ['0.99', latencyMs.p99 / MS_PER_SECOND],
        ],
        sum: figures.ok === 0 ? 0 : (latencyMs.mean * figures.ok) / MS_PER_SECOND,
        count: figures.ok,
      });
      metrics.cellCoresUsed.set(labels, figures.coresUsed);
      const samples = figures.eventLoopDelaySamples;
      metrics.cellEventLoopDelay.set(labels, {
        quantiles: [['0.99', figures.eventLoopDelayP99Ms / MS_PER_SECOND]],
        sum: samples === 0 ? 0 : (figures.eventLoopDelayMeanMs * samples) / MS_PER_SECOND,
        count: samples,
      });
      metrics.cellMemory.set(labels, figures.memoryBytes);
      if (verdict !== undefined) {
        for (const limit of LIMITS) metrics.cellVerdict.set({ scenario: cell.scenario, strategy: cell.strategy, limit }, limit === verdict.limit ? 1 : 0);
      }
    });
  }

  #guard(update: () => void): void {
    try {
      update();
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      process.emitWarning(`cell metrics failed and are skipped: ${(error as Error).message}`);
    }
  }
}

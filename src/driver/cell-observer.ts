import type { WindowFigures } from '../measurement/load-window.ts';
import type { Verdict } from '../report/verdict-rules.ts';
import type { Cell, Stage } from './cell.ts';

/** One closed window of one cell. */
export interface CellWindow {
  readonly cell: Cell;
  /** ISO times the measured window opened and closed (settling before it and draining after are excluded and included, respectively). */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly figures: WindowFigures;
  /** What limited the cell in this window (issue 17), when the driver was given a judge. */
  readonly verdict?: Verdict | undefined;
}

/** Telemetry's view of the driver. Implementations never throw. */
export interface CellObserver {
  /** A stage starts (settling first), or none runs any more (undefined). */
  activate(stage: Stage | undefined): void;
  /** A window closed: its figures are that cell's latest. */
  windowClosed(window: CellWindow): void;
}

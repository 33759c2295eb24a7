import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import { type JobTiming, LoadWindow, type WindowFigures } from '../measurement/load-window.ts';
import type { Verdict } from '../report/verdict-rules.ts';
import type { ResourceUsage } from '../measurement/resource-usage.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import { type Cell, cellKey, planCycle, type Stage } from './cell.ts';
import type { CellObserver, CellWindow } from './cell-observer.ts';

/** A lane whose job failed waits this long before the next, so a dead upstream is not hammered in a hot loop. */
const ERROR_BACKOFF_MS = 50;
/** Unmeasured time after a stage starts: the new cell warms up (JIT, connections) and the last one's traces are gone. */
export const SETTLE_MS = 1_000;
/** At a boundary, the old stage's jobs get this long to finish (counted in its window) before they are cancelled. */
export const DRAIN_BOUND_MS = 5_000;

export type DriverPhase = 'settling' | 'measuring' | 'draining';

/** What a lane tells its window about a job: its duration and timing, or its error code. */
type JobOutcome = ({ durationMs: number } & JobTiming) | { code: string };

export interface DriverOptions {
  runner: JobRunner;
  usage: ResourceUsage;
  config: Pick<ResolvedConfig, 'strategies' | 'scenarios' | 'rotateSeconds' | 'concurrency' | 'sizes' | 'mix'>;
  /** The kind of each scenario (its lanes take cpu or io slots). */
  kindOf: (scenario: ScenarioName) => ScenarioKind;
  observer?: CellObserver | undefined;
  /** What limited a cell in a closed window (src/report/verdict-rules.ts); no verdicts without it. */
  judge?: ((cell: Cell, figures: WindowFigures) => Verdict) | undefined;
  /** Called with each closed window, and with the whole cycle's latest windows after its last stage. */
  onWindow?: ((window: CellWindow, cycleDone: readonly CellWindow[] | undefined) => void) | undefined;
}

export interface DriverStatus {
  mix: Stage['mix'];
  /** The running stage: its strategy and its cells (one in isolated mode). */
  active: { strategy: StrategyName; cells: readonly Cell[] };
  phase: DriverPhase;
  /** When the current phase started, and when the measured window ends (undefined while settling or draining). */
  phaseStartedAt: string;
  windowEndsAt: string | undefined;
  rotateSeconds: number;
  settleMs: number;
  drainBoundMs: number;
  /** Every cell in cycle order, and where the driver is in it. */
  cycle: { cells: readonly Cell[]; position: number; length: number; completed: number };
  /** Windows closed so far. */
  windows: number;
}

/**
 * Jobs a cell keeps in flight: the scenario's LAB_CONCURRENCY, but for I/O never more than the
 * strategy runs at once. Requests past its slots only queue: sequential http at 64 in flight
 * would show 64 × the upstream's delay as its latency at the same throughput, where `compare`
 * measures sequential at one in flight. CPU cells keep theirs (2 × workers by default, as in
 * compare), so no pool worker waits for its next job.
 */
function cellLanes(cell: Cell, kind: ScenarioKind, options: DriverOptions): number {
  const configured = options.config.concurrency[cell.scenario]!;
  return kind === 'io' ? Math.min(configured, options.runner.strategy(cell.strategy).slots.io) : configured;
}

/** The lanes of one stage: closed loops that stop starting jobs on stop() and cancel theirs on cancel(). */
class Lanes {
  readonly stage: Stage;
  readonly #cancel = new AbortController();
  #stopped = false;
  readonly #running: Promise<void>[] = [];

  constructor(stage: Stage, options: DriverOptions, record: (cell: Cell, outcome: JobOutcome) => void) {
    this.stage = stage;
    const { runner, config, kindOf } = options;
    for (const cell of stage.cells) {
      const request = { scenario: cell.scenario, kind: kindOf(cell.scenario), strategy: cell.strategy, size: config.sizes[cell.scenario]!, signal: this.#cancel.signal };
      for (let lane = 0; lane < cellLanes(cell, request.kind, options); lane++) {
        this.#running.push(
          (async () => {
            while (!this.#stopped) {
              try {
                const report = await runner.run(request);
                record(cell, report);
              } catch (error) {
                // A job the driver cancelled at a boundary says nothing about the strategy.
                if (this.#cancel.signal.aborted) return;
                record(cell, { code: (error as { code?: string }).code ?? 'unknown' });
                if (!this.#stopped) await sleep(ERROR_BACKOFF_MS);
              }
            }
          })(),
        );
      }
    }
  }

  /** Stops starting jobs; resolves when the jobs in flight have settled, cancelling them after `boundMs`. */
  async drain(boundMs: number): Promise<void> {
    this.#stopped = true;
    const all = Promise.all(this.#running);
    const timer = setTimeout(() => this.#cancel.abort(), boundMs);
    await all;
    clearTimeout(timer);
  }

  stop(): void {
    this.#stopped = true;
  }

  settled(): Promise<unknown> {
    return Promise.all(this.#running);
  }
}

/**
 * The continuous closed-loop load, one stage at a time (a cell in isolated mode, a strategy
 * running every scenario in mixed mode), each for a measured window of `rotateSeconds`. At a
 * boundary the old stage stops starting jobs and its jobs in flight finish inside its window
 * (cancelled after DRAIN_BOUND_MS); the new stage then settles for SETTLE_MS unmeasured. So a
 * window's jobs, CPU, memory and loop delay are its own cell's. A cycle of one stage (one
 * scenario, one strategy) just closes and opens windows with no gap.
 */
export class Driver {
  readonly #options: DriverOptions;
  readonly #cycle: Stage[];
  readonly #latest = new Map<string, CellWindow>();
  readonly #stop = new AbortController();
  #index = 0;
  #phase: DriverPhase = 'settling';
  #phaseStartedAtMs = Date.now();
  #windowEndsAtMs: number | undefined;
  #windows = new Map<string, LoadWindow>();
  #windowCount = 0;
  #completedCycles = 0;
  #lanes: Lanes | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: DriverOptions) {
    this.#options = options;
    const { scenarios, strategies, mix } = options.config;
    this.#cycle = planCycle(scenarios, strategies, mix);
  }

  /** The running stage's strategy: the one the main thread's own CPU and memory are attributed to. */
  get activeStrategy(): StrategyName {
    return this.#cycle[this.#index]!.strategy;
  }

  status(): DriverStatus {
    const stage = this.#cycle[this.#index]!;
    return {
      mix: this.#options.config.mix,
      active: { strategy: stage.strategy, cells: stage.cells },
      phase: this.#phase,
      phaseStartedAt: new Date(this.#phaseStartedAtMs).toISOString(),
      windowEndsAt: this.#windowEndsAtMs === undefined ? undefined : new Date(this.#windowEndsAtMs).toISOString(),
      rotateSeconds: this.#options.config.rotateSeconds,
      settleMs: SETTLE_MS,
      drainBoundMs: DRAIN_BOUND_MS,
      cycle: { cells: this.#cycle.flatMap((each) => each.cells), position: this.#index, length: this.#cycle.length, completed: this.#completedCycles },
      windows: this.#windowCount,
    };
  }

  /** The latest window of every cell that has had one, in cycle order. */
  latestWindows(): CellWindow[] {
    return this.#cycle.flatMap((stage) => stage.cells.map((cell) => this.#latest.get(cellKey(cell)))).filter((window) => window !== undefined);
  }

  async start(): Promise<void> {
    // The loop runs on its own; a failure ends the driver with a warning, never the daemon.
    this.#loop = this.#run().catch((error: unknown) => {
      process.emitWarning(`the driver stopped: ${(error as Error).stack ?? String(error)}`);
    });
  }

  /** Stops starting jobs; resolves when every lane's last job has settled (drain the runner meanwhile). */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#lanes?.stop();
    await this.#loop;
    await this.#lanes?.settled();
    this.#options.observer?.activate(undefined);
  }

  async #pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => {});
  }

  #enter(phase: DriverPhase): void {
    this.#phase = phase;
    this.#phaseStartedAtMs = Date.now();
  }

  #record(cell: Cell, outcome: JobOutcome): void {
    const window = this.#windows.get(cellKey(cell));
    if (window === undefined) return;
    if ('durationMs' in outcome) window.recordOk(outcome.durationMs, outcome);
    else window.recordError(outcome.code);
  }

  async #run(): Promise<void> {
    const { usage, observer, config } = this.#options;
    while (!this.#stop.signal.aborted) {
      const stage = this.#cycle[this.#index]!;
      if (this.#lanes?.stage !== stage) {
        this.#enter('settling');
        this.#lanes = new Lanes(stage, this.#options, (cell, outcome) => this.#record(cell, outcome));
        observer?.activate(stage);
        await this.#pause(SETTLE_MS);
      }
      if (this.#stop.signal.aborted) return;

      const opened = await Promise.all(stage.cells.map(async (cell) => [cellKey(cell), await LoadWindow.open(usage, this.#options.runner.strategy(cell.strategy))] as const));
      const startedAt = new Date().toISOString();
      this.#windows = new Map(opened);
      this.#enter('measuring');
      this.#windowEndsAtMs = Date.now() + config.rotateSeconds * 1000;
      await this.#pause(config.rotateSeconds * 1000);
      this.#windowEndsAtMs = undefined;
      // A window cut short by shutdown is not a measurement.
      if (this.#stop.signal.aborted) return;

      const nextIndex = (this.#index + 1) % this.#cycle.length;
      if (this.#cycle[nextIndex] !== stage) {
        this.#enter('draining');
        await this.#lanes.drain(DRAIN_BOUND_MS);
        this.#lanes = undefined;
        // Shutdown during the drain cancels its jobs: that window is no measurement either.
        if (this.#stop.signal.aborted) return;
      }
      const endedAt = new Date().toISOString();
      const windows = this.#windows;
      this.#windows = new Map();
      for (const cell of stage.cells) {
        const figures = await windows.get(cellKey(cell))!.close(usage, cell.strategy);
        const window: CellWindow = { cell, startedAt, endedAt, figures, verdict: this.#options.judge?.(cell, figures) };
        this.#latest.set(cellKey(cell), window);
        this.#windowCount++;
        observer?.windowClosed(window);
        const cycleDone = nextIndex === 0 && cell === stage.cells.at(-1) ? this.latestWindows() : undefined;
        this.#options.onWindow?.(window, cycleDone);
      }
      if (nextIndex === 0) this.#completedCycles++;
      this.#index = nextIndex;
    }
  }
}

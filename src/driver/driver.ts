import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { StrategyName } from '../strategies/strategy.ts';
import type { ResourceUsage } from '../telemetry/resource-usage.ts';
import { type WindowRow, WindowStats } from './window-stats.ts';

/** A lane whose job failed waits this long before the next, so a dead upstream is not hammered in a hot loop. */
const ERROR_BACKOFF_MS = 50;

export interface DriverOptions {
  runner: JobRunner;
  usage: ResourceUsage;
  config: Pick<ResolvedConfig, 'strategies' | 'scenarios' | 'rotateSeconds' | 'concurrency' | 'sizes'>;
  /** Called when a strategy becomes active (also for the first). */
  onActivate?: ((strategy: StrategyName) => void) | undefined;
  /** Called with each finished window's rows and the latest rows of every strategy so far. */
  onWindow?: ((window: WindowRow[], latest: WindowRow[]) => void) | undefined;
}

export interface RotationStatus {
  active: StrategyName;
  strategies: readonly StrategyName[];
  rotateSeconds: number;
  windowStartedAt: string;
  nextRotationAt: string | undefined;
  rotations: number;
}

/**
 * The continuous closed-loop load: per scenario, `concurrency` lanes each run one job after
 * another on the active strategy. Every `rotateSeconds` the window closes (its table is
 * reported) and, with several strategies, the next one becomes active.
 */
export class Driver {
  readonly #options: DriverOptions;
  readonly #latest = new Map<StrategyName, WindowRow[]>();
  #activeIndex = 0;
  #window: WindowStats | undefined;
  #windowStartedAtMs = Date.now();
  #rotations = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopping = false;
  #lanes: Promise<void>[] = [];

  constructor(options: DriverOptions) {
    this.#options = options;
  }

  get active(): StrategyName {
    return this.#options.config.strategies[this.#activeIndex]!;
  }

  status(): RotationStatus {
    const { strategies, rotateSeconds } = this.#options.config;
    return {
      active: this.active,
      strategies,
      rotateSeconds,
      windowStartedAt: new Date(this.#windowStartedAtMs).toISOString(),
      nextRotationAt: strategies.length > 1 ? new Date(this.#windowStartedAtMs + rotateSeconds * 1000).toISOString() : undefined,
      rotations: this.#rotations,
    };
  }

  /** The latest window of every strategy that has had one. */
  latestWindows(): WindowRow[] {
    return [...this.#latest.values()].flat();
  }

  async start(): Promise<void> {
    const { config } = this.#options;
    await this.#openWindow();
    for (const scenario of config.scenarios) {
      for (let lane = 0; lane < config.concurrency[scenario]; lane++) this.#lanes.push(this.#runLane(scenario));
    }
    this.#timer = setInterval(() => void this.#rotate(), config.rotateSeconds * 1000);
  }

  /** Stops starting jobs; resolves when every lane's last job has settled (drain the runner meanwhile). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    await Promise.all(this.#lanes);
  }

  async #openWindow(): Promise<void> {
    this.#windowStartedAtMs = Date.now();
    this.#window = await WindowStats.open(this.active, this.#options.config.scenarios, this.#options.usage);
    this.#options.onActivate?.(this.active);
  }

  async #rotate(): Promise<void> {
    const closing = this.#window;
    if (closing === undefined || this.#stopping) return;
    this.#window = undefined;
    const { strategies } = this.#options.config;
    this.#activeIndex = (this.#activeIndex + 1) % strategies.length;
    await this.#openWindow();
    const rows = await closing.close(this.#options.usage);
    this.#latest.set(closing.strategy, rows);
    // Counted once the closed window's rows are in, so a status that shows N rotations also
    // shows the rows of the N windows they closed.
    this.#rotations++;
    this.#options.onWindow?.(rows, this.latestWindows());
  }

  async #runLane(scenario: ScenarioName): Promise<void> {
    const { runner, config } = this.#options;
    const size = config.sizes[scenario];
    while (!this.#stopping) {
      const strategy = this.active;
      try {
        const report = await runner.run({ scenario, strategy, size });
        if (this.#window?.strategy === strategy) this.#window.recordSuccess(scenario, report.durationMs);
      } catch {
        if (this.#window?.strategy === strategy) this.#window.recordError(scenario);
        if (!this.#stopping) await sleep(ERROR_BACKOFF_MS);
      }
    }
  }
}

import type { Strategy, StrategyName, WorkerIdentity } from '../strategies/strategy.ts';

export interface WorkerChaosOptions {
  strategies: ReadonlyMap<StrategyName, Strategy>;
  /** The pool the timer kills in: the driver's active strategy. */
  activeStrategy: () => StrategyName;
  /** Kill one worker this often; 0 for never (the API can still kill once). */
  intervalMs: number;
  /** Told about every kill (for the log); must not throw. */
  onKill?: ((strategy: StrategyName, worker: WorkerIdentity) => void) | undefined;
  random?: () => number;
}

/**
 * Worker chaos: ends one worker of a pool abruptly, as a crash would (SIGKILL for a child
 * process, terminate() for a thread), on a timer (LAB_CHAOS_KILL_INTERVAL_MS) or once on
 * request. Only the jobs on that worker fail (LAB_ERR_WORKER_CRASHED); the pool replaces it,
 * and the timer kills again only once the pool is full of ready workers.
 */
export class WorkerChaos {
  readonly #options: WorkerChaosOptions;
  #timer: NodeJS.Timeout | undefined;
  #kills = 0;

  constructor(options: WorkerChaosOptions) {
    this.#options = options;
  }

  /** Kills made so far, by the timer and on request. */
  get kills(): number {
    return this.#kills;
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      // A timer callback must never throw into the process.
      try {
        const strategy = this.#options.activeStrategy();
        // A tick while the pool still replaces its last victim waits until the replacement is
        // ready (has answered a task), not merely listed: a kill must never land on a worker
        // still booting (the pool libraries then stop replacing workers), and a machine slower to
        // start a worker than the interval would otherwise be driven down to no workers at all.
        const pool = this.#options.strategies.get(strategy);
        if (pool !== undefined && pool.readyWorkers().length < pool.workerCount) return;
        this.killOne(strategy);
      } catch (error) {
        process.emitWarning(`worker chaos: ${(error as Error).message}`);
      }
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Kills one ready worker of `strategy`'s pool (one that has answered a task, never one still
   * booting), picked at random; the worker killed, or undefined when the strategy runs on the
   * main thread, is not running here or has no ready worker.
   */
  killOne(strategy: StrategyName): WorkerIdentity | undefined {
    const pool = this.#options.strategies.get(strategy);
    if (pool === undefined || pool.workerUsage() === undefined) return undefined;
    const workers = pool.readyWorkers();
    if (workers.length === 0) return undefined;
    const victim = workers[Math.floor((this.#options.random ?? Math.random)() * workers.length)]!;
    if (!pool.terminateWorker(victim)) return undefined;
    this.#kills++;
    this.#options.onKill?.(strategy, victim);
    return victim;
  }
}

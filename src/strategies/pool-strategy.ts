import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors.ts';
import type { RestartReason, Strategy, StrategyName, WorkerIdentity, WorkerUsage } from './strategy.ts';
import type { Task, TaskOutcome, TaskReply, WorkerStats } from './task.ts';
import { unwrapReply } from './unwrap-reply.ts';

/** What piscina and tinypool have in common, and all this class needs of them. */
export interface TaskPool extends EventEmitter {
  run(task: Task | null, options: { signal: AbortSignal; name?: string }): Promise<TaskReply>;
  destroy(): Promise<void>;
}

export interface PoolStrategyOptions {
  name: StrategyName;
  size: number;
  pool: TaskPool;
  /** "worker thread" or "child process", for error messages. */
  workerKind: string;
  /** The live workers, in the pool's own terms. */
  listWorkers: () => WorkerIdentity[];
  /** Ends a live worker abruptly (it is known to exist). */
  killWorker: (worker: WorkerIdentity) => void;
}

function workerKey({ pid, threadId }: WorkerIdentity): string {
  return `${pid}:${threadId}`;
}

const FLUSH_SIGNAL = new AbortController().signal;
const FLUSH_TIMEOUT_MS = 2_000;

const WARM_UP_TASK: Task = { scenario: 'noop', size: 0, upstreamUrl: undefined, traceContext: undefined };

/**
 * A fixed-size pool of workers (threads or processes). A worker that dies takes only its own
 * job down: the pool rejects that job, which becomes LAB_ERR_WORKER_CRASHED, and starts a
 * replacement. Aborting a running job ends its worker too (the only way to stop running
 * JavaScript), so cancellations also cost a restart.
 */
export class PoolStrategy implements Strategy {
  readonly name: StrategyName;
  readonly slots: number;
  readonly #pool: TaskPool;
  readonly #workerKind: string;
  readonly #listWorkers: () => WorkerIdentity[];
  readonly #killWorker: (worker: WorkerIdentity) => void;
  readonly #knownWorkers = new Set<string>();
  readonly #restarts: Record<RestartReason, number> = { crash: 0, cancel: 0 };
  /** Latest counters per worker, by workerKey. */
  readonly #stats = new Map<string, WorkerStats>();
  /** Counters of workers that are gone. */
  readonly #retired = { cpuSeconds: 0, eluActiveMs: 0, eluIdleMs: 0 };
  #unattributedCrashes = 0;
  #closed = false;

  constructor(options: PoolStrategyOptions) {
    this.name = options.name;
    this.slots = options.size;
    this.#pool = options.pool;
    this.#workerKind = options.workerKind;
    this.#listWorkers = options.listWorkers;
    this.#killWorker = options.killWorker;
    // A worker that dies while idle is reported as a pool 'error'; unheard, it would crash the daemon.
    this.#pool.on('error', () => {
      this.#unattributedCrashes++;
    });
  }

  async execute(task: Task, signal: AbortSignal): Promise<TaskOutcome> {
    if (this.#closed) throw new LabError('LAB_ERR_SHUTTING_DOWN', `the ${this.name} pool is closed`);
    let reply: TaskReply;
    try {
      reply = await this.#pool.run(task, { signal });
    } catch (error) {
      // Errors from the scenario come back as data, so a rejection is the pool's own:
      // our abort, our shutdown, or a worker that died under the job.
      if (signal.aborted) throw signal.reason;
      if (this.#closed) throw new LabError('LAB_ERR_SHUTTING_DOWN', `the ${this.name} pool closed while the job ran`, { cause: error });
      this.#unattributedCrashes++;
      throw new LabError('LAB_ERR_WORKER_CRASHED', `the ${this.#workerKind} running the job died (${(error as Error).message})`, { cause: error });
    } finally {
      this.#noticeReplacements();
    }
    if (reply.stats !== undefined) this.#stats.set(workerKey(reply), reply.stats);
    return unwrapReply(reply);
  }

  async ready(): Promise<void> {
    await Promise.all(Array.from({ length: this.slots }, () => this.#pool.run(WARM_UP_TASK, { signal: new AbortController().signal })));
    for (const worker of this.#listWorkers()) this.#knownWorkers.add(workerKey(worker));
  }

  workers(): WorkerIdentity[] {
    this.#noticeReplacements();
    return this.#listWorkers();
  }

  terminateWorker(worker: WorkerIdentity): boolean {
    const key = workerKey(worker);
    if (this.#closed || !this.#listWorkers().some((live) => workerKey(live) === key)) return false;
    this.#killWorker(worker);
    return true;
  }

  workerUsage(): WorkerUsage {
    const live = new Set(this.#listWorkers().map(workerKey));
    const usage = { ...this.#retired, heapUsedBytes: 0 };
    for (const [key, stats] of this.#stats) {
      if (!live.has(key) && !this.#closed) {
        this.#retired.cpuSeconds += stats.cpuSeconds;
        this.#retired.eluActiveMs += stats.eluActiveMs;
        this.#retired.eluIdleMs += stats.eluIdleMs;
        this.#stats.delete(key);
      } else {
        usage.heapUsedBytes += stats.heapUsedBytes;
      }
      usage.cpuSeconds += stats.cpuSeconds;
      usage.eluActiveMs += stats.eluActiveMs;
      usage.eluIdleMs += stats.eluIdleMs;
    }
    return usage;
  }

  restarts(): Readonly<Record<RestartReason, number>> {
    this.#noticeReplacements();
    return { ...this.#restarts };
  }

  async close(): Promise<void> {
    this.#closed = true;
    // One flush per worker: with every worker idle, each takes exactly one of these tasks.
    const flushes = Array.from({ length: this.slots }, () => this.#pool.run(null, { signal: FLUSH_SIGNAL, name: 'flushTelemetry' }));
    await Promise.race([Promise.allSettled(flushes), sleep(FLUSH_TIMEOUT_MS)]);
    await this.#pool.destroy();
  }

  /** Counts workers that were not there before; each follows a crash or a cancellation. */
  #noticeReplacements(): void {
    if (this.#knownWorkers.size === 0 || this.#closed) return;
    for (const worker of this.#listWorkers()) {
      const id = workerKey(worker);
      if (this.#knownWorkers.has(id)) continue;
      this.#knownWorkers.add(id);
      if (this.#unattributedCrashes > 0) {
        this.#unattributedCrashes--;
        this.#restarts.crash++;
      } else {
        this.#restarts.cancel++;
      }
    }
  }
}

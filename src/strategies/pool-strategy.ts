import type { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors.ts';
import type { ControlMessage } from './control-message.ts';
import type { RestartReason, Strategy, StrategyName, WorkerIdentity, WorkerUsage } from './strategy.ts';
import { type PoolSize, type StrategySlots, strategySlots } from './strategy-slots.ts';
import type { Task, TaskOutcome, TaskReply, WorkerStats } from './task.ts';
import { unwrapReply } from './unwrap-reply.ts';
import { forwardWorkerSpans } from './worker-span-sink.ts';

/** What piscina and tinypool have in common, and all this class needs of them. */
export interface TaskPool extends EventEmitter {
  run(task: Task | null, options?: { name?: string; signal?: AbortSignal }): Promise<TaskReply>;
  destroy(): Promise<void>;
}

/** The control channel to a pool's workers (a BroadcastChannel for threads, IPC for child processes). */
export interface PoolControl {
  /** Sends a message to every live worker. */
  broadcast(message: ControlMessage): void;
  /** Calls `listener` with every control message a worker sends. */
  listen(listener: (message: ControlMessage) => void): void;
  close(): void;
}

export interface PoolStrategyOptions {
  name: StrategyName;
  size: PoolSize;
  pool: TaskPool;
  control: PoolControl;
  /** "worker thread" or "child process", for error messages. */
  workerKind: string;
  /** The live workers, in the pool's own terms. */
  listWorkers: () => WorkerIdentity[];
  /** Ends a live worker abruptly (it is known to exist); resolves once it has exited. */
  killWorker: (worker: WorkerIdentity) => Promise<void>;
}

function workerKey({ pid, threadId }: WorkerIdentity): string {
  return `${pid}:${threadId}`;
}

const FLUSH_TIMEOUT_MS = 2_000;
/** How long ready() waits for every worker to have answered once. */
const READY_TIMEOUT_MS = 60_000;

/** How often the strategy checks that its pool is at full size (see #refill). */
const REFILL_CHECK_INTERVAL_MS = 250;

/** Not a job: never cancelled, so it needs no start notice (kind io). */
const WARM_UP_TASK: Task = { id: 0, kind: 'io', scenario: 'noop', size: 0, upstreamUrl: undefined, traceContext: undefined };

/**
 * A fixed-size pool of workers (threads or processes). CPU jobs run one per worker; I/O jobs
 * share a worker, up to `ioTasksPerWorker` at once, since each worker has its own event loop.
 * No task is handed to the pool with an abort signal (piscina and tinypool run such a task alone
 * on its worker, and end the worker to abort it): a cancelled I/O task is aborted inside its
 * worker through the control channel, and a cancelled CPU task ends the worker that announced
 * it. A worker that dies takes only its own jobs down (LAB_ERR_WORKER_CRASHED); the pool starts
 * a replacement.
 */
export class PoolStrategy implements Strategy {
  readonly name: StrategyName;
  readonly slots: StrategySlots;
  readonly workerCount: number;
  readonly #pool: TaskPool;
  readonly #control: PoolControl;
  readonly #workerKind: string;
  readonly #listWorkers: () => WorkerIdentity[];
  readonly #killWorker: (worker: WorkerIdentity) => Promise<void>;
  /**
   * Workers being ended: until one has exited, the pool still counts it as holding its task and
   * would hand it new ones (several per worker), which would then fail with it. New tasks wait.
   */
  readonly #exiting = new Set<Promise<void>>();
  /** Workers seen alive, to count the ones that disappear. */
  readonly #knownWorkers = new Set<string>();
  /** Workers this strategy ended to stop a cancelled CPU job: their disappearance is a cancel, not a crash. */
  readonly #endedForCancel = new Set<string>();
  readonly #restarts: Record<RestartReason, number> = { crash: 0, cancel: 0 };
  /** CPU tasks of this pool in flight, with the worker that announced it runs them. */
  readonly #cpuTasks = new Map<number, { worker: WorkerIdentity | undefined; cancelled: boolean }>();
  /** Latest counters per worker, by workerKey. */
  readonly #stats = new Map<string, WorkerStats>();
  /** Counters of workers that are gone. */
  readonly #retired = { cpuSeconds: 0, eluActiveMs: 0, eluIdleMs: 0 };
  /** Workers that have answered a task (a job, a warm-up), by workerKey: ready, not booting. */
  readonly #answered = new Set<string>();
  #closed = false;
  readonly #refillTimer: NodeJS.Timeout;
  /** The refill's warm-ups while they run: each holds an idle worker alone, so the balancer passes it over. */
  #refilling: Promise<void> | undefined;

  constructor(options: PoolStrategyOptions) {
    this.name = options.name;
    this.slots = strategySlots(options.name, options.size);
    this.workerCount = options.size.workers;
    this.#pool = options.pool;
    this.#control = options.control;
    this.#workerKind = options.workerKind;
    this.#listWorkers = options.listWorkers;
    this.#killWorker = options.killWorker;
    // A worker that dies while idle is reported as a pool 'error'; unheard, it would crash the daemon.
    this.#pool.on('error', () => {});
    this.#control.listen((message) => {
      if (message.labControl !== 'started') return;
      const running = this.#cpuTasks.get(message.taskId);
      if (running === undefined) return;
      running.worker = { pid: message.pid, threadId: message.threadId };
      if (running.cancelled) this.#end(running.worker);
    });
    this.#refillTimer = setInterval(() => this.#refill(), REFILL_CHECK_INTERVAL_MS);
    this.#refillTimer.unref();
  }

  async execute(task: Task, signal: AbortSignal): Promise<TaskOutcome> {
    while (this.#exiting.size > 0) await Promise.all(this.#exiting);
    if (this.#closed) throw new LabError('LAB_ERR_SHUTTING_DOWN', `the ${this.name} pool is closed`);
    if (signal.aborted) throw signal.reason;
    if (task.kind === 'cpu') this.#cpuTasks.set(task.id, { worker: undefined, cancelled: false });
    const pending = this.#pool.run(task);
    return new Promise<TaskOutcome>((resolve, reject) => {
      const onAbort = (): void => {
        this.#cancel(task);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (reply) => {
          this.#settled(task, signal, onAbort);
          this.#answered.add(workerKey(reply));
          if (reply.stats !== undefined) this.#stats.set(workerKey(reply), reply.stats);
          forwardWorkerSpans(reply.spans);
          if (signal.aborted) return;
          try {
            resolve(unwrapReply(reply));
          } catch (error) {
            reject(error);
          }
        },
        (error: unknown) => {
          this.#settled(task, signal, onAbort);
          // A worker that answered is alive: only a failure can mean one is gone.
          this.#noticeDepartures();
          // Errors from the scenario come back as data, so a rejection is the pool's own: our
          // shutdown, a worker ended for a cancelled CPU job, or a worker that died under the job.
          if (signal.aborted) return;
          if (this.#closed) reject(new LabError('LAB_ERR_SHUTTING_DOWN', `the ${this.name} pool closed while the job ran`, { cause: error }));
          else reject(new LabError('LAB_ERR_WORKER_CRASHED', `the ${this.#workerKind} running the job died (${(error as Error).message})`, { cause: error }));
        },
      );
    });
  }

  async ready(): Promise<void> {
    // A pool hands tasks to the least busy worker that has started, so every worker has
    // loaded the scenarios once each of them has answered a warm-up task.
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (let ready = this.readyWorkers().length; ready < this.workerCount; ready = this.readyWorkers().length) {
      if (performance.now() > deadline) throw new LabError('LAB_ERR_WORKER_CRASHED', `only ${ready} of ${this.workerCount} ${this.#workerKind}es started within ${READY_TIMEOUT_MS} ms`);
      while (this.#exiting.size > 0) await Promise.all(this.#exiting);
      // A warm-up handed to a worker that dies meanwhile is simply tried again.
      const replies = await Promise.all(Array.from({ length: this.workerCount }, () => this.#pool.run(WARM_UP_TASK).catch(() => undefined)));
      for (const reply of replies) if (reply !== undefined) this.#answered.add(workerKey(reply));
      if (this.readyWorkers().length < this.workerCount) await sleep(10);
    }
    // Not ready while a refill's warm-up still holds a worker: the first jobs would all go to the others.
    await this.#refilling;
    for (const worker of this.#listWorkers()) this.#knownWorkers.add(workerKey(worker));
  }

  workers(): WorkerIdentity[] {
    this.#noticeDepartures();
    return this.#listWorkers();
  }

  readyWorkers(): WorkerIdentity[] {
    const live = this.workers();
    const liveKeys = new Set(live.map(workerKey));
    // Forget workers that are gone, so the set stays as small as the pool.
    for (const key of this.#answered) if (!liveKeys.has(key)) this.#answered.delete(key);
    return live.filter((worker) => this.#answered.has(workerKey(worker)));
  }

  terminateWorker(worker: WorkerIdentity): boolean {
    const key = workerKey(worker);
    if (this.#closed || !this.#listWorkers().some((live) => workerKey(live) === key)) return false;
    const exited = this.#killWorker(worker)
      .catch(() => {})
      .finally(() => this.#exiting.delete(exited));
    this.#exiting.add(exited);
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
    this.#noticeDepartures();
    return { ...this.#restarts };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#refillTimer);
    // One flush per worker: with every worker idle, the least-busy pool hands one to each.
    const flushes = Array.from({ length: this.workerCount }, () => this.#pool.run(null, { name: 'flushTelemetry' }).then((reply) => forwardWorkerSpans(reply.spans)));
    await Promise.race([Promise.allSettled(flushes), sleep(FLUSH_TIMEOUT_MS)]);
    await this.#pool.destroy();
    this.#control.close();
  }

  #settled(task: Task, signal: AbortSignal, onAbort: () => void): void {
    signal.removeEventListener('abort', onAbort);
    if (task.kind === 'cpu') this.#cpuTasks.delete(task.id);
  }

  #cancel(task: Task): void {
    this.#control.broadcast({ labControl: 'cancel', taskId: task.id });
    const running = this.#cpuTasks.get(task.id);
    if (running === undefined) return;
    running.cancelled = true;
    // Pure JavaScript cannot hear the cancel: end its worker. Not announced yet: ended when it is.
    if (running.worker !== undefined) this.#end(running.worker);
  }

  #end(worker: WorkerIdentity): void {
    if (!this.terminateWorker(worker)) return;
    this.#endedForCancel.add(workerKey(worker));
  }

  /**
   * Brings a short pool back to full size. piscina and tinypool replace a worker that dies only
   * if it had reported ready; one that dies while it boots is taken for a broken worker file, and
   * from then on piscina (and tinypool until a task needs a worker) replaces no worker at all, so
   * the pool stays short and jobs wait. Both still start a worker when a task finds no free one:
   * a task with an abort signal takes only an idle worker and runs alone on it, so `workerCount`
   * warm-up tasks with a (never aborted) signal occupy every idle worker for the instant a noop
   * takes and make the pool start each missing one. The same warm-ups reach a replacement once
   * it is ready, so it counts as ready (readyWorkers) even when no job comes.
   */
  #refill(): void {
    if (this.#closed || this.#refilling !== undefined) return;
    const listed = this.#listWorkers();
    const booting = listed.some((worker) => !this.#answered.has(workerKey(worker)));
    if (listed.length >= this.workerCount && !booting) return;
    const signal = new AbortController().signal;
    const nudges = Array.from({ length: this.workerCount }, () =>
      this.#pool.run(WARM_UP_TASK, { signal }).then(
        (reply) => {
          this.#answered.add(workerKey(reply));
        },
        () => {},
      ),
    );
    this.#refilling = Promise.all(nudges).then(() => {
      this.#refilling = undefined;
    });
  }

  /** Counts workers that are gone since last seen: ended for a cancelled CPU job, or crashed. */
  #noticeDepartures(): void {
    if (this.#knownWorkers.size === 0 || this.#closed) return;
    const live = new Set(this.#listWorkers().map(workerKey));
    for (const key of this.#knownWorkers) {
      if (live.has(key)) continue;
      this.#knownWorkers.delete(key);
      if (this.#endedForCancel.delete(key)) this.#restarts.cancel++;
      else this.#restarts.crash++;
    }
    for (const key of live) this.#knownWorkers.add(key);
  }
}

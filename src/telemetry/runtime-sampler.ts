import type { EventLoopUtilization } from 'node:perf_hooks';
import type { JobRunner } from '../jobs/job-runner.ts';
import { loopDelayMonitor } from '../measurement/loop-delay.ts';
import type { ResourceSnapshot, ResourceUsage } from '../measurement/resource-usage.ts';
import type { Strategy, StrategyName } from '../strategies/strategy.ts';
import type { LabMetrics } from './lab-metrics.ts';

/** The strategy label for the main thread's own use when no strategy is active (the driver is off: jobs come from the API for any strategy). */
export const NO_STRATEGY = 'none';

export interface RuntimeSamplerOptions {
  metrics: LabMetrics;
  strategies: ReadonlyMap<StrategyName, Strategy>;
  runner: JobRunner;
  usage: ResourceUsage;
  /** The strategy the main thread's own use is attributed to (the driver's active one), or undefined with the driver off. */
  activeStrategy: () => StrategyName | undefined;
  /** Default 1000. */
  intervalMs?: number;
}


/** Counter readings from the previous sample, to add only what happened since. */
interface Previous {
  snapshot: ResourceSnapshot;
  restarts: Map<string, number>;
  workerCpuSeconds: Map<StrategyName, number>;
  workerElu: Map<StrategyName, { active: number; idle: number }>;
  mainElu: EventLoopUtilization;
  active: string;
}

/**
 * Samples what is not per job, once per interval: CPU (children and worker threads included),
 * memory, pools, restarts, the main thread's event-loop delay and utilization, the workers'
 * utilization, and which strategy is active. The main thread's own CPU, memory and loop are
 * attributed to the active strategy: it is the one the driver is running.
 */
export class RuntimeSampler {
  readonly #options: RuntimeSamplerOptions;
  readonly #loopDelay = loopDelayMonitor();
  #timer: NodeJS.Timeout | undefined;
  #warned = false;
  #previous: Previous | undefined;
  #sampling: Promise<void> | undefined;

  constructor(options: RuntimeSamplerOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    this.#loopDelay.enable();
    await this.sample();
    this.#timer = setInterval(() => {
      // A sample started by a timer must never reject unhandled and end the daemon: warn once, go on.
      this.#sampling ??= this.sample()
        .catch((error: unknown) => this.#warnOnce(error))
        .finally(() => {
          this.#sampling = undefined;
        });
    }, this.#options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  #warnOnce(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    process.emitWarning(`the runtime sampler failed and skips samples that fail: ${(error as Error).stack ?? String(error)}`);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#loopDelay.disable();
    await this.#sampling;
  }

  /** Takes one sample now (also on every tick). */
  async sample(): Promise<void> {
    const { metrics, strategies, runner, usage, activeStrategy } = this.#options;
    const snapshot = await usage.sample();
    const activeName = activeStrategy();
    const active = activeName ?? NO_STRATEGY;
    const previous = this.#previous;
    const restarts = new Map<string, number>();
    const workerCpuSeconds = new Map<StrategyName, number>();
    const workerElu = new Map<StrategyName, { active: number; idle: number }>();

    for (const [name, strategy] of strategies) {
      metrics.strategyActive.set({ strategy: name }, name === activeName ? 1 : 0);
      const load = runner.load(name);
      // async has no workers to be idle: its busy count is its jobs running.
      const unbounded = !Number.isFinite(strategy.slots.cpu);
      metrics.poolWorkers.set({ strategy: name, state: 'busy' }, unbounded ? load.running : load.busyWorkers);
      if (!unbounded) metrics.poolWorkers.set({ strategy: name, state: 'idle' }, strategy.workerCount - load.busyWorkers);
      metrics.poolQueueDepth.set({ strategy: name }, load.queued);
      for (const [reason, count] of Object.entries(strategy.restarts())) {
        const key = `${name}:${reason}`;
        restarts.set(key, count);
        const delta = count - (previous?.restarts.get(key) ?? 0);
        // Touch the series at 0 too, so rate() has a starting point.
        metrics.poolRestarts.inc({ strategy: name, reason }, Math.max(0, delta));
      }
      const workers = strategy.workerUsage();
      if (workers === undefined) continue;
      workerCpuSeconds.set(name, workers.cpuSeconds);
      workerElu.set(name, { active: workers.eluActiveMs, idle: workers.eluIdleMs });
      metrics.memory.set({ strategy: name, component: 'worker', kind: 'heap' }, workers.heapUsedBytes);
      const childRss = snapshot.childRssBytes[name];
      if (childRss !== undefined) metrics.memory.set({ strategy: name, component: 'worker', kind: 'rss' }, childRss);
      const before = previous?.workerElu.get(name);
      if (before !== undefined) {
        const activeMs = workers.eluActiveMs - before.active;
        const totalMs = activeMs + workers.eluIdleMs - before.idle;
        // No reply in the interval leaves the last value: the workers were idle or all busy on long jobs.
        if (totalMs > 0) metrics.eventLoopUtilization.set({ thread: 'worker', strategy: name }, activeMs / totalMs);
      }
    }

    // Worker threads' CPU is inside this process's; child processes' CPU is not.
    const threadWorkersCpu = workerCpuSeconds.get('threads') ?? 0;
    const processCpu = snapshot.mainThreadCpuSeconds + snapshot.otherThreadsCpuSeconds;
    const childCpu = snapshot.childCpuSeconds.processes ?? 0;
    if (previous !== undefined) {
      const workerDelta = threadWorkersCpu - (previous.workerCpuSeconds.get('threads') ?? 0);
      const previousProcessCpu = previous.snapshot.mainThreadCpuSeconds + previous.snapshot.otherThreadsCpuSeconds;
      if (strategies.has('threads')) metrics.cpu.inc({ strategy: 'threads', component: 'worker' }, Math.max(0, workerDelta));
      if (strategies.has('processes')) metrics.cpu.inc({ strategy: 'processes', component: 'worker' }, Math.max(0, childCpu - (previous.snapshot.childCpuSeconds.processes ?? 0)));
      metrics.cpu.inc({ strategy: active, component: 'main' }, Math.max(0, processCpu - previousProcessCpu - Math.max(0, workerDelta)));
      if (previous.active !== active) this.#forgetMain(previous.active);
    }

    metrics.memory.set({ strategy: active, component: 'main', kind: 'rss' }, snapshot.rssBytes);
    metrics.memory.set({ strategy: active, component: 'main', kind: 'heap' }, snapshot.heapUsedBytes);
    const mainElu = performance.eventLoopUtilization();
    if (previous !== undefined) {
      metrics.eventLoopUtilization.set({ thread: 'main', strategy: active }, performance.eventLoopUtilization(mainElu, previous.mainElu).utilization);
    }
    if (this.#loopDelay.count > 0) metrics.eventLoopDelay.set(active, this.#loopDelay);
    this.#loopDelay.reset();
    this.#previous = { snapshot, restarts, workerCpuSeconds, workerElu, mainElu, active };
  }

  /** The main thread's gauges belong to the active strategy only. */
  #forgetMain(strategy: string): void {
    const { metrics } = this.#options;
    for (const kind of ['rss', 'heap']) metrics.memory.remove({ strategy, component: 'main', kind });
    metrics.eventLoopUtilization.remove({ thread: 'main', strategy });
  }
}

import pidusage from 'pidusage';
import type { StrategyName } from '../strategies/strategy.ts';

/** CPU and memory of the daemon and of the pools' child processes, cumulative since start. */
export interface ResourceSnapshot {
  atMs: number;
  /** CPU seconds of the daemon's main thread. */
  mainThreadCpuSeconds: number;
  /** CPU seconds of every other thread of the daemon: worker threads, libuv's threadpool (sharp), V8's GC. */
  otherThreadsCpuSeconds: number;
  /** CPU seconds of child processes by the strategy that owns them; never decreases, even when a child exits. */
  childCpuSeconds: Partial<Record<StrategyName, number>>;
  childRssBytes: Partial<Record<StrategyName, number>>;
  rssBytes: number;
  heapUsedBytes: number;
}

/**
 * Samples resource usage. A child's CPU is not in the daemon's own process metrics, so it is
 * read per pid (pidusage: /proc on Linux, ps elsewhere) and accumulated per strategy.
 */
export class ResourceUsage {
  readonly #children: () => ReadonlyMap<number, StrategyName>;
  /** Last CPU seconds seen per child pid, so exited children keep counting. */
  readonly #childCpu = new Map<number, { strategy: StrategyName; cpuSeconds: number }>();

  /** @param children live child pids of the pools, by strategy */
  constructor(children: () => ReadonlyMap<number, StrategyName>) {
    this.#children = children;
  }

  async sample(): Promise<ResourceSnapshot> {
    const children = this.#children();
    const childRssBytes: Partial<Record<StrategyName, number>> = {};
    if (children.size > 0) {
      let stats: Record<string, pidusage.Status | null>;
      try {
        stats = await pidusage([...children.keys()]);
      } catch {
        // A child exited between listing and reading; its last reading stays counted.
        stats = {};
      }
      for (const [pid, strategy] of children) {
        const status = stats[pid];
        if (status == null) continue;
        this.#childCpu.set(pid, { strategy, cpuSeconds: status.ctime / 1000 });
        childRssBytes[strategy] = (childRssBytes[strategy] ?? 0) + status.memory;
      }
    }
    const childCpuSeconds: Partial<Record<StrategyName, number>> = {};
    for (const { strategy, cpuSeconds } of this.#childCpu.values()) childCpuSeconds[strategy] = (childCpuSeconds[strategy] ?? 0) + cpuSeconds;

    const processCpu = process.cpuUsage();
    const threadCpu = process.threadCpuUsage();
    const memory = process.memoryUsage();
    const mainThreadCpuSeconds = (threadCpu.user + threadCpu.system) / 1e6;
    return {
      atMs: performance.timeOrigin + performance.now(),
      mainThreadCpuSeconds,
      otherThreadsCpuSeconds: Math.max(0, (processCpu.user + processCpu.system) / 1e6 - mainThreadCpuSeconds),
      childCpuSeconds,
      childRssBytes,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    };
  }

  /** Cores in use between two snapshots: all CPU seconds (children included) per wall second. */
  static coresUsed(from: ResourceSnapshot, to: ResourceSnapshot): number {
    const wallSeconds = (to.atMs - from.atMs) / 1000;
    if (wallSeconds <= 0) return 0;
    const total = (snapshot: ResourceSnapshot): number =>
      snapshot.mainThreadCpuSeconds + snapshot.otherThreadsCpuSeconds + Object.values(snapshot.childCpuSeconds).reduce((sum, value) => sum + value, 0);
    return (total(to) - total(from)) / wallSeconds;
  }

  close(): void {
    pidusage.clear();
  }
}

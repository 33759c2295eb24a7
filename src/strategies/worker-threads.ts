import { Piscina } from 'piscina';
import { PoolStrategy, type TaskPool } from './pool-strategy.ts';
import { TASK_ENTRY_URL } from './task-entry-url.ts';

/** A piscina pool of `size` worker threads: JavaScript in parallel, one task per thread at a time. */
export class WorkerThreadsStrategy extends PoolStrategy {
  constructor(size: number) {
    const pool = new Piscina({
      filename: TASK_ENTRY_URL,
      minThreads: size,
      maxThreads: size,
      idleTimeout: Number.POSITIVE_INFINITY,
      // With atomics, an idle worker blocks in Atomics.wait and its event loop stops: timers
      // (such as a span exporter's) would not run between tasks.
      atomics: 'disabled',
    });
    super({
      name: 'threads',
      size,
      pool: pool as unknown as TaskPool,
      workerKind: 'worker thread',
      listWorkers: () => pool.threads.map((thread) => ({ pid: process.pid, threadId: thread.threadId })),
      killWorker: ({ threadId }) => void pool.threads.find((thread) => thread.threadId === threadId)?.terminate(),
    });
  }
}

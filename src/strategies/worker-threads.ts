import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { CONTROL_CHANNEL, type ControlMessage, isControlMessage } from './control-message.ts';
import { type PoolControl, PoolStrategy, type TaskPool } from './pool-strategy.ts';
import type { PoolSize } from './strategy-slots.ts';
import { TASK_ENTRY_URL } from './task-entry-url.ts';

/** Control messages to and from worker threads: one BroadcastChannel reaches every thread of the process. */
function broadcastControl(): PoolControl {
  const channel = new BroadcastChannel(CONTROL_CHANNEL);
  // The channel must not keep the process alive on its own.
  channel.unref();
  return {
    broadcast: (message: ControlMessage) => channel.postMessage(message),
    listen: (listener) => {
      channel.onmessage = (event) => {
        const data = (event as MessageEvent).data;
        if (isControlMessage(data)) listener(data);
      };
    },
    close: () => channel.close(),
  };
}

/** A piscina pool of worker threads: JavaScript in parallel, one CPU task or many I/O tasks per thread at a time. */
export class WorkerThreadsStrategy extends PoolStrategy {
  constructor(size: PoolSize) {
    const pool = new Piscina({
      filename: TASK_ENTRY_URL,
      minThreads: size.workers,
      maxThreads: size.workers,
      concurrentTasksPerWorker: size.ioTasksPerWorker,
      idleTimeout: Number.POSITIVE_INFINITY,
      // 'async': a worker learns of new tasks through Atomics.waitAsync and reads them off its
      // port itself, without a 'message' event each; its event loop keeps running between tasks
      // ('sync' would block it in Atomics.wait, so timers and other tasks' I/O would stop). On
      // http at 256 in flight it cost 0.345 ms of lab CPU per job against 0.387 ms with
      // 'disabled' (README, "Pools on http").
      atomics: 'async',
      // Its wait- and run-time histograms: two records per task on the main thread, read by nothing.
      recordTiming: false,
    });
    super({
      name: 'threads',
      size,
      pool: pool as unknown as TaskPool,
      control: broadcastControl(),
      workerKind: 'worker thread',
      listWorkers: () => pool.threads.map((thread) => ({ pid: process.pid, threadId: thread.threadId })),
      killWorker: async ({ threadId }) => {
        await pool.threads.find((thread) => thread.threadId === threadId)?.terminate();
      },
    });
  }
}

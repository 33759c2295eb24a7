import { Tinypool } from 'tinypool';
import { PoolStrategy, type TaskPool } from './pool-strategy.ts';
import { TASK_ENTRY_URL } from './task-entry-url.ts';

/**
 * A tinypool pool of `size` child processes (tinypool's child_process runtime: the same task
 * API and entry file as the piscina pool, so the two strategies differ only in isolation).
 */
export class ChildProcessesStrategy extends PoolStrategy {
  constructor(size: number) {
    const pool = new Tinypool({
      filename: TASK_ENTRY_URL,
      runtime: 'child_process',
      minThreads: size,
      maxThreads: size,
      idleTimeout: Number.POSITIVE_INFINITY,
      // tinypool's child_process runtime gives children an empty environment unless told
      // otherwise; they need the OTEL_* variables (and everything else) like threads have.
      env: process.env as Record<string, string>,
    });
    super({
      name: 'processes',
      size,
      pool: pool as unknown as TaskPool,
      workerKind: 'child process',
      // In the child_process runtime tinypool's threadId is the child's pid.
      listWorkers: () => pool.threads.map((child) => ({ pid: child.threadId, threadId: 0 })),
      killWorker: ({ pid }) => process.kill(pid, 'SIGKILL'),
    });
  }
}

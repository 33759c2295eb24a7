import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Tinypool } from 'tinypool';
import { type ControlMessage, isControlMessage } from './control-message.ts';
import { type PoolControl, PoolStrategy, type TaskPool } from './pool-strategy.ts';
import type { PoolSize } from './strategy-slots.ts';
import { TASK_ENTRY_URL } from './task-entry-url.ts';

/** tinypool's worker object in the child_process runtime: its threadId is the child's pid. */
interface ProcessWorker {
  threadId: number;
  process: ChildProcess;
}

/**
 * Control messages over each child's IPC channel, which tinypool shares: it ignores messages
 * without its own marker. Listeners are attached to children as they appear (replacements too).
 */
function ipcControl(children: () => readonly ProcessWorker[]): PoolControl & { attach(): void } {
  const attached = new WeakSet<ChildProcess>();
  let listener: ((message: ControlMessage) => void) | undefined;
  const attach = (): void => {
    if (listener === undefined) return;
    const onMessage = listener;
    for (const { process: child } of children()) {
      if (attached.has(child)) continue;
      attached.add(child);
      child.on('message', (message: unknown) => {
        if (isControlMessage(message)) onMessage(message);
      });
    }
  };
  return {
    broadcast: (message) => {
      attach();
      for (const { process: child } of children()) if (child.connected) child.send(message);
    },
    listen: (onMessage) => {
      listener = onMessage;
      attach();
    },
    attach,
    close: () => {},
  };
}

/**
 * A tinypool pool of child processes (tinypool's child_process runtime: the same task API and
 * entry file as the piscina pool, so the two strategies differ only in isolation).
 */
export class ChildProcessesStrategy extends PoolStrategy {
  readonly #attachControl: () => void;

  constructor(size: PoolSize) {
    const pool = new Tinypool({
      filename: TASK_ENTRY_URL,
      runtime: 'child_process',
      minThreads: size.workers,
      maxThreads: size.workers,
      concurrentTasksPerWorker: size.ioTasksPerWorker,
      idleTimeout: Number.POSITIVE_INFINITY,
      // tinypool's child_process runtime gives children an empty environment unless told
      // otherwise; they need the OTEL_* variables (and everything else) like threads have.
      env: process.env as Record<string, string>,
    });
    const children = (): ProcessWorker[] => pool.threads as unknown as ProcessWorker[];
    const control = ipcControl(children);
    super({
      name: 'processes',
      size,
      pool: pool as unknown as TaskPool,
      control,
      workerKind: 'child process',
      listWorkers: () => children().map((child) => ({ pid: child.threadId, threadId: 0 })),
      killWorker: async ({ pid }) => {
        const child = children().find((worker) => worker.threadId === pid)?.process;
        const exited = child === undefined || child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => {});
        process.kill(pid, 'SIGKILL');
        await exited;
      },
    });
    this.#attachControl = control.attach;
  }

  override execute(...args: Parameters<PoolStrategy['execute']>): ReturnType<PoolStrategy['execute']> {
    // A replacement child must be heard before its first CPU task announces itself.
    this.#attachControl();
    return super.execute(...args);
  }
}

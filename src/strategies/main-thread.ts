import { runTask } from './run-task.ts';
import type { RestartReason, Strategy, StrategyName, WorkerIdentity } from './strategy.ts';
import { type StrategySlots, strategySlots } from './strategy-slots.ts';
import type { Task, TaskOutcome } from './task.ts';
import { unwrapReply } from './unwrap-reply.ts';
import { yieldToEventLoop } from './yield-to-event-loop.ts';

/**
 * Jobs on the daemon's main thread. `sequential` has one slot (the job runner queues the
 * rest); `async` has unlimited slots: every job starts at once, I/O interleaves, and pure-JS
 * work runs to completion and blocks the loop meanwhile, which is exactly what it shows.
 */
export class MainThreadStrategy implements Strategy {
  readonly name: StrategyName;
  readonly slots: StrategySlots;
  readonly workerCount = 1;

  constructor(name: 'sequential' | 'async') {
    this.name = name;
    this.slots = strategySlots(name, { workers: 1, ioTasksPerWorker: 1 });
  }

  async execute(task: Task, signal: AbortSignal): Promise<TaskOutcome> {
    await yieldToEventLoop();
    return unwrapReply(await runTask(task, signal));
  }

  async ready(): Promise<void> {}

  workers(): WorkerIdentity[] {
    return [{ pid: process.pid, threadId: 0 }];
  }

  readyWorkers(): WorkerIdentity[] {
    return this.workers();
  }

  terminateWorker(): boolean {
    return false;
  }

  workerUsage(): undefined {
    return undefined;
  }

  restarts(): Readonly<Record<RestartReason, number>> {
    return { crash: 0, cancel: 0 };
  }

  async close(): Promise<void> {}
}

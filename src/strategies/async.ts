import { runTask } from './run-task.ts';
import type { RestartReason, Strategy, WorkerIdentity } from './strategy.ts';
import type { Task, TaskOutcome } from './task.ts';
import { unwrapReply } from './unwrap-reply.ts';
import { yieldToEventLoop } from './yield-to-event-loop.ts';

/**
 * Every job starts at once on the main event loop. I/O interleaves; pure-JS work runs to
 * completion and blocks the loop meanwhile, which is exactly what this strategy shows.
 */
export class AsyncStrategy implements Strategy {
  readonly name = 'async';
  readonly slots = Number.POSITIVE_INFINITY;

  async execute(task: Task, signal: AbortSignal): Promise<TaskOutcome> {
    await yieldToEventLoop();
    return unwrapReply(await runTask(task, signal));
  }

  async ready(): Promise<void> {}

  workers(): WorkerIdentity[] {
    return [{ pid: process.pid, threadId: 0 }];
  }

  terminateWorker(): boolean {
    return false;
  }

  restarts(): Readonly<Record<RestartReason, number>> {
    return { crash: 0, cancel: 0 };
  }

  async close(): Promise<void> {}
}

import PQueue from 'p-queue';
import { runTask } from './run-task.ts';
import type { RestartReason, Strategy, WorkerIdentity } from './strategy.ts';
import type { Task, TaskOutcome } from './task.ts';
import { unwrapReply } from './unwrap-reply.ts';
import { yieldToEventLoop } from './yield-to-event-loop.ts';

/** One job at a time on the main thread, the rest wait in a FIFO queue. */
export class SequentialStrategy implements Strategy {
  readonly name = 'sequential';
  readonly slots = 1;
  readonly #queue = new PQueue({ concurrency: 1 });

  execute(task: Task, signal: AbortSignal): Promise<TaskOutcome> {
    // A queued job whose signal aborts leaves the queue at once (p-queue rejects with signal.reason).
    return this.#queue.add(
      async () => {
        await yieldToEventLoop();
        return unwrapReply(await runTask(task, signal));
      },
      { signal },
    );
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

  async close(): Promise<void> {
    await this.#queue.onIdle();
  }
}

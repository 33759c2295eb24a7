import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { LabError } from '../errors.ts';
import { CONTROL_CHANNEL, type ControlMessage, isControlMessage } from './control-message.ts';
import type { Task } from './task.ts';

/** Cancels that arrived before their task: kept so the task is refused when it comes. Bounded. */
const EARLY_CANCELS_KEPT = 4096;

const CANCELLED = (taskId: number): LabError => new LabError('LAB_ERR_JOB_CANCELLED', `task ${taskId} was cancelled`);

/**
 * The worker side of the control channel, in a worker thread or a pool's child process: an
 * AbortController per task in progress, aborted by the pool's cancel message, so one I/O task
 * stops while its siblings on the same event loop go on.
 */
export class WorkerControl {
  readonly #running = new Map<number, AbortController>();
  readonly #earlyCancels = new Set<number>();
  readonly #send: (message: ControlMessage) => void;

  constructor() {
    const onMessage = (message: unknown): void => {
      if (isControlMessage(message) && message.labControl === 'cancel') this.#cancel(message.taskId);
    };
    if (isMainThread) {
      // A child process of the processes pool: the IPC channel tinypool also uses; it ignores
      // messages without its own marker, and so do we.
      process.on('message', onMessage);
      this.#send = (message) => process.send?.(message);
    } else {
      const channel = new BroadcastChannel(CONTROL_CHANNEL);
      channel.onmessage = (event) => onMessage((event as MessageEvent).data);
      this.#send = (message) => channel.postMessage(message);
    }
  }

  /**
   * The signal for a task that starts now, or undefined when it was cancelled before it came.
   * A CPU task is announced: while it runs, this worker cannot hear a cancel, so the pool ends it.
   */
  begin(task: Task): AbortSignal | undefined {
    if (this.#earlyCancels.delete(task.id)) return undefined;
    const controller = new AbortController();
    this.#running.set(task.id, controller);
    if (task.kind === 'cpu') this.#send({ labControl: 'started', taskId: task.id, pid: process.pid, threadId });
    return controller.signal;
  }

  end(task: Task): void {
    this.#running.delete(task.id);
  }

  /** No task runs on this worker now. */
  get idle(): boolean {
    return this.#running.size === 0;
  }

  cancelledReason(task: Task): LabError {
    return CANCELLED(task.id);
  }

  #cancel(taskId: number): void {
    const controller = this.#running.get(taskId);
    if (controller !== undefined) {
      controller.abort(CANCELLED(taskId));
      return;
    }
    // Every worker of every pool hears every cancel: only remember it, bounded, in case the task is still on its way.
    this.#earlyCancels.add(taskId);
    if (this.#earlyCancels.size > EARLY_CANCELS_KEPT) this.#earlyCancels.delete(this.#earlyCancels.values().next().value!);
  }
}

import { FairQueue, type QueueEntry } from './fair-queue.ts';

interface Waiter extends QueueEntry {
  resolve: () => void;
  reject: (reason: unknown) => void;
}

/**
 * Lets at most `slots` jobs of one strategy execute at once; the rest wait in a fair queue
 * (round-robin by scenario). The pools downstream therefore never queue, so every job that
 * waits is visible here, and aborting a waiting job costs no worker.
 */
export class SlotGate<Key> {
  readonly slots: number;
  readonly #waiting = new FairQueue<Key, Waiter>();
  #running = 0;

  constructor(slots: number) {
    this.slots = slots;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** Resolves when a slot is free; rejects with `signal.reason` if the signal aborts first. */
  acquire(key: Key, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.slots) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        cancelled: false,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (reason) => {
          signal.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      const onAbort = (): void => {
        this.#waiting.cancel(waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.enqueue(key, waiter);
    });
  }

  /** Rejects every job still waiting for a slot with `reason`; running jobs keep their slots. */
  rejectWaiting(reason: unknown): void {
    for (let waiter = this.#waiting.dequeue(); waiter !== undefined; waiter = this.#waiting.dequeue()) waiter.reject(reason);
  }

  /** Frees a slot and hands it to the next waiter in the round, if any. */
  release(): void {
    const next = this.#waiting.dequeue();
    if (next === undefined) this.#running--;
    else next.resolve();
  }
}

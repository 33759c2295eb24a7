import Queue from 'yocto-queue';

/** Something waiting in a FairQueue; a cancelled entry is skipped and dropped when reached. */
export interface QueueEntry {
  cancelled: boolean;
}

/**
 * FIFO per key, round-robin across keys: a key with many waiting entries (64 http lanes)
 * cannot starve a key with few (4 matrix lanes). Cancelling is O(1): the entry is marked and
 * no longer counted, and dropped when the round reaches it.
 */
export class FairQueue<Key, Entry extends QueueEntry> {
  readonly #queues = new Map<Key, Queue<Entry>>();
  readonly #keys: Key[] = [];
  #next = 0;
  #size = 0;

  /** Entries waiting, not counting cancelled ones. */
  get size(): number {
    return this.#size;
  }

  enqueue(key: Key, entry: Entry): void {
    let queue = this.#queues.get(key);
    if (queue === undefined) {
      queue = new Queue<Entry>();
      this.#queues.set(key, queue);
      this.#keys.push(key);
    }
    queue.enqueue(entry);
    this.#size++;
  }

  /** Marks a waiting entry cancelled. */
  cancel(entry: Entry): void {
    if (entry.cancelled) return;
    entry.cancelled = true;
    this.#size--;
  }

  /** The oldest live entry of the next key in the round, or undefined when none waits. */
  dequeue(): Entry | undefined {
    if (this.#size === 0) return undefined;
    for (let tried = 0; tried < this.#keys.length; tried++) {
      const index = (this.#next + tried) % this.#keys.length;
      const queue = this.#queues.get(this.#keys[index]!)!;
      let entry = queue.dequeue();
      while (entry?.cancelled === true) entry = queue.dequeue();
      if (entry !== undefined) {
        this.#next = index + 1;
        this.#size--;
        return entry;
      }
    }
    return undefined;
  }
}

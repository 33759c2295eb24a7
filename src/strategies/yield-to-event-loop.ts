import { setImmediate } from 'node:timers/promises';

/**
 * Lets timers and I/O run before a job starts on the main thread. Without it, jobs that
 * finish synchronously would chain through microtasks forever and starve the event loop
 * entirely (no API, no timeouts, no rotation), instead of merely blocking it while they run.
 */
export function yieldToEventLoop(): Promise<void> {
  return setImmediate();
}

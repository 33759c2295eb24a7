import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** What is awaited, for the error message. */
  description: string;
  /** Give up after this long. Default 30000. */
  timeoutMs?: number;
  /** Pause between probes. Default 200. */
  intervalMs?: number;
  /** Stop early (e.g. the process under test exited): the reason becomes the error. */
  abortReason?: () => string | undefined;
}

/**
 * Polls `probe` until it returns a value other than undefined, null or false, and returns that
 * value. A probe that throws counts as "not yet"; the last error is quoted when the deadline
 * passes, so a timeout says what was last seen rather than only that time ran out.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted !== undefined) throw new Error(`gave up waiting for ${options.description}: ${aborted}`);
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const last = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description}${last}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

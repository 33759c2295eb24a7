import assert from 'node:assert/strict';
import type { StartedProcess } from './started-process.ts';

/**
 * Waits for a started process to exit on its own and returns its exit code; past the deadline
 * it is killed (by pid) and the test fails, naming `what` and showing its output.
 */
export async function exitWithin(started: StartedProcess, timeoutMs: number, what = 'the process'): Promise<number | null> {
  const timer = setTimeout(() => void started.stop('SIGKILL'), timeoutMs);
  try {
    const { code, signal } = await started.exited;
    assert.equal(signal, null, `${what} was killed (${signal}) after ${timeoutMs} ms; output:\n${started.output()}`);
    return code;
  } finally {
    clearTimeout(timer);
  }
}

import { threadId } from 'node:worker_threads';
import { nowMs } from '../clock.ts';
import { toWire } from '../errors.ts';
import { getScenario } from '../scenarios/catalog.ts';
import { withExecuteSpan } from '../telemetry/execute-span.ts';
import type { Task, TaskReply } from './task.ts';

const NEVER_ABORTED = new AbortController().signal;

/**
 * Runs one task where it is called (main thread, worker thread or child process), inside its
 * `execute` span, and never throws: failures come back as a wire error, so they cross any
 * boundary intact.
 */
export function runTask(task: Task, signal: AbortSignal = NEVER_ABORTED): Promise<TaskReply> {
  return withExecuteSpan(task, signal, runScenario);
}

async function runScenario(task: Task, signal: AbortSignal): Promise<TaskReply> {
  const startedAtMs = nowMs();
  const started = performance.now();
  try {
    if (signal.aborted) throw signal.reason;
    const result = await getScenario(task.scenario).run(task.size, { signal, upstreamUrl: task.upstreamUrl });
    return { ok: true, result, startedAtMs, runMs: performance.now() - started, pid: process.pid, threadId };
  } catch (error) {
    return { ok: false, error: toWire(error), startedAtMs, runMs: performance.now() - started, pid: process.pid, threadId };
  }
}

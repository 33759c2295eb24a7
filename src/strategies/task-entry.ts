/**
 * The file worker threads (piscina) and child processes (tinypool) load. Both pools call the
 * default export with the task message; I/O tasks share a worker (its event loop holds many
 * requests at once), CPU tasks get one each. A task is cancelled through the control channel
 * (src/strategies/worker-control.ts), never by the pool, so a cancelled I/O task does not end
 * its worker or its siblings.
 *
 * Each worker starts its own OpenTelemetry SDK on purpose (never through inherited
 * NODE_OPTIONS), but exports nothing itself: the spans that ended during a task go back with
 * its reply (`spans`) and the main thread exports them, so a worker ended abruptly after it
 * replied (a crash, a chaos kill) has lost none.
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';
import { nowMs } from '../clock.ts';
import { toWire } from '../errors.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { runTask } from './run-task.ts';
import type { Task, TaskReply, WorkerStats } from './task.ts';
import { WorkerControl } from './worker-control.ts';

const tracing = await startTracing({ defaultServiceName: 'concurrency-lab', spansInReplies: true });
const control = new WorkerControl();

function workerStats(): WorkerStats {
  // A child process counts all its threads (sharp's libuv pool included); a worker thread only itself.
  const cpu = isMainThread ? process.cpuUsage() : process.threadCpuUsage();
  const elu = performance.eventLoopUtilization();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, eluActiveMs: elu.active, eluIdleMs: elu.idle, heapUsedBytes: getHeapStatistics().used_heap_size };
}

export default async function runPooledTask(task: Task): Promise<TaskReply> {
  const signal = control.begin(task);
  let reply: TaskReply;
  if (signal === undefined) {
    reply = { ok: false, error: toWire(control.cancelledReason(task)), startedAtMs: nowMs(), runMs: 0, pid: process.pid, threadId };
  } else {
    try {
      reply = await runTask(task, signal);
    } finally {
      control.end(task);
    }
  }
  reply.stats = workerStats();
  const spans = tracing.takeSpans();
  if (spans !== undefined) reply.spans = spans;
  return reply;
}

/** Run once per worker before the pool closes: the spans no reply took yet (see forwardWorkerSpans). */
export function flushTelemetry(): Pick<TaskReply, 'spans'> {
  return { spans: tracing.takeSpans() };
}

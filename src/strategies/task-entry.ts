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
import { registerScenarioModulesFromEnv } from '../scenarios/scenario-modules.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { runTask } from './run-task.ts';
import type { Task, TaskReply, WorkerStats } from './task.ts';
import { WorkerControl } from './worker-control.ts';

const tracing = await startTracing({ defaultServiceName: 'concurrency-lab', spansInReplies: true });
const control = new WorkerControl();
// The scenario modules the main thread loaded and checked (issue 17), before the first task.
await registerScenarioModulesFromEnv();

/**
 * How stale the heap figure in a reply may be: reading the heap statistics on every reply was
 * 2 % of a worker's CPU on http at 256 in flight, and the runtime sampler reads the pools once
 * a second.
 */
const HEAP_READ_INTERVAL_MS = 100;
let heap = { usedBytes: 0, readAtMs: Number.NEGATIVE_INFINITY };
/**
 * How stale the counters in a reply may be while other tasks still run on this worker: reading
 * the CPU time and event-loop figures for every reply was about 2 % of a worker's CPU on http at
 * 256 in flight. The last reply before the worker goes idle always carries them, so a window
 * that ends with the worker idle sees its final figures.
 */
const STATS_INTERVAL_MS = 10;
let statsSentAtMs = Number.NEGATIVE_INFINITY;

function workerStats(now: number): WorkerStats {
  // A child process counts all its threads (sharp's libuv pool included); a worker thread only itself.
  const cpu = isMainThread ? process.cpuUsage() : process.threadCpuUsage();
  const elu = performance.eventLoopUtilization();
  if (now - heap.readAtMs >= HEAP_READ_INTERVAL_MS) heap = { usedBytes: getHeapStatistics().used_heap_size, readAtMs: now };
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, eluActiveMs: elu.active, eluIdleMs: elu.idle, heapUsedBytes: heap.usedBytes };
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
  const now = performance.now();
  if (control.idle || now - statsSentAtMs >= STATS_INTERVAL_MS) {
    reply.stats = workerStats(now);
    statsSentAtMs = now;
  }
  const spans = tracing.takeSpans();
  if (spans !== undefined) reply.spans = spans;
  return reply;
}

/** Run once per worker before the pool closes: the spans no reply took yet (see forwardWorkerSpans). */
export function flushTelemetry(): Pick<TaskReply, 'spans'> {
  return { spans: tracing.takeSpans() };
}

/**
 * The file worker threads (piscina) and child processes (tinypool) load. Both pools call the
 * default export with the task message. Aborting a running task ends the whole worker, so no
 * signal reaches the scenario here.
 *
 * Each worker starts its own OpenTelemetry SDK on purpose (never through inherited
 * NODE_OPTIONS). It exports in short batches: a worker ended abruptly (a cancelled job, a
 * crash) loses at most the spans of its last WORKER_BATCH_DELAY_MS. Exporting each span as it
 * ended instead cost matrix on threads about 9 % of its throughput (`npm run bench -- overhead`,
 * traced ÷ the same daemon not sampling; 2–5 % with batches).
 */
import { getHeapStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';
import { startTracing } from '../telemetry/tracing.ts';
import { runTask } from './run-task.ts';
import type { Task, TaskReply, WorkerStats } from './task.ts';

const WORKER_BATCH_DELAY_MS = 200;

const tracing = await startTracing({ defaultServiceName: 'concurrency-lab', batchDelayMs: WORKER_BATCH_DELAY_MS });

function workerStats(): WorkerStats {
  // A child process counts all its threads (sharp's libuv pool included); a worker thread only itself.
  const cpu = isMainThread ? process.cpuUsage() : process.threadCpuUsage();
  const elu = performance.eventLoopUtilization();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, eluActiveMs: elu.active, eluIdleMs: elu.idle, heapUsedBytes: getHeapStatistics().used_heap_size };
}

export default async function runPooledTask(task: Task): Promise<TaskReply> {
  const reply = await runTask(task);
  reply.stats = workerStats();
  return reply;
}

/** Run once per worker before the pool closes, so no buffered span is lost. */
export async function flushTelemetry(): Promise<void> {
  await tracing.flush();
}

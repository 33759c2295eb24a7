import { threadId } from 'node:worker_threads';
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Task, TaskReply } from '../strategies/task.ts';
import { localParent } from './local-parent-context.ts';

const tracer = trace.getTracer('concurrency-lab');

/**
 * Runs a task inside an `execute` span whose parent is the job span carried in the task
 * message (W3C trace context), so a job's trace crosses into the worker thread or child
 * process that ran it. Spans started while it runs (undici's client span) are its children.
 */
export async function withExecuteSpan(task: Task, signal: AbortSignal, run: (task: Task, signal: AbortSignal) => Promise<TaskReply>): Promise<TaskReply> {
  if (task.traceContext === undefined) return run(task, signal);
  const parent = localParent(task.traceContext) ?? propagation.extract(ROOT_CONTEXT, task.traceContext);
  const span = tracer.startSpan('execute', undefined, parent);
  if (span.isRecording()) span.setAttributes({ 'lab.scenario': task.scenario, 'lab.size': task.size, 'thread.id': threadId, 'process.pid': process.pid });
  try {
    const reply = await context.with(trace.setSpan(parent, span), run, undefined, task, signal);
    if (!reply.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: reply.error.message });
    return reply;
  } finally {
    span.end();
  }
}

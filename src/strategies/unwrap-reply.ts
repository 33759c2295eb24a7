import { fromWire } from '../errors.ts';
import type { TaskOutcome, TaskReply } from './task.ts';

/** The outcome of a reply, or its error rebuilt as a LabError. */
export function unwrapReply(reply: TaskReply): TaskOutcome {
  if (!reply.ok) throw fromWire(reply.error);
  return { result: reply.result, startedAtMs: reply.startedAtMs, runMs: reply.runMs, pid: reply.pid, threadId: reply.threadId };
}

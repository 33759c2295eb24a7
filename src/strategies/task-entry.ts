/**
 * The file worker threads (piscina) and child processes (tinypool) load. Both pools call the
 * default export with the task message. Aborting a running task ends the whole worker, so no
 * signal reaches the scenario here.
 */
import { runTask } from './run-task.ts';
import type { Task, TaskReply } from './task.ts';

export default function runPooledTask(task: Task): Promise<TaskReply> {
  return runTask(task);
}

/**
 * Messages between a pool and its workers beside the tasks themselves: the pools' own task
 * channel cannot stop one task without ending its worker, and cannot say which worker runs
 * which task.
 */
export type ControlMessage =
  /** Pool → workers: abort task `taskId` (an I/O task stops; a worker that does not hold it ignores it). */
  | { readonly labControl: 'cancel'; readonly taskId: number }
  /** Worker → pool: this worker starts CPU task `taskId`; it cannot listen until the task ends. */
  | { readonly labControl: 'started'; readonly taskId: number; readonly pid: number; readonly threadId: number };

/** Name of the BroadcastChannel that carries control messages between the main thread and worker threads. */
export const CONTROL_CHANNEL = 'concurrency-lab/worker-control';

export function isControlMessage(value: unknown): value is ControlMessage {
  return typeof value === 'object' && value !== null && typeof (value as { labControl?: unknown }).labControl === 'string';
}

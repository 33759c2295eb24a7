import type { WireError } from '../errors.ts';
import type { ScenarioName } from '../scenarios/catalog.ts';
import type { ScenarioKind } from '../scenarios/scenario.ts';
import type { WireSpan } from './wire-span.ts';

/**
 * The message a strategy hands to whoever runs a job: plain data, so it crosses threads
 * (structured clone) and processes (IPC) unchanged.
 */
export interface Task {
  /** Unique within the process that submitted it: names the task in cancel messages. */
  id: number;
  /** cpu tasks run one per worker; io tasks share a worker's event loop with others. */
  kind: ScenarioKind;
  scenario: ScenarioName;
  size: number;
  upstreamUrl: string | undefined;
  /** W3C trace context (traceparent, tracestate) of the job span, when tracing. */
  traceContext: Record<string, string> | undefined;
}

/** When and where a task ran, measured where it ran. */
export interface TaskTiming {
  /** Wall-clock start in epoch milliseconds (sub-millisecond), comparable across processes. */
  startedAtMs: number;
  runMs: number;
  pid: number;
  threadId: number;
}

export interface TaskOutcome extends TaskTiming {
  result: unknown;
}

/** A pool worker's own counters, cumulative since it started; it sends them with every reply. */
export interface WorkerStats {
  /** CPU seconds of the worker thread, or of the whole child process. */
  cpuSeconds: number;
  /** Event-loop time spent active and idle (performance.eventLoopUtilization()). */
  eluActiveMs: number;
  eluIdleMs: number;
  heapUsedBytes: number;
}

/** What comes back over the wire: errors travel as data, so a rejected pool promise always means the worker itself failed. */
export type TaskReply = ({ ok: true; result: unknown } | { ok: false; error: WireError }) & TaskTiming & {
  stats?: WorkerStats;
  /** Sampled spans that ended in the worker since its last reply (the task's execute span and its children), for the main thread to export. */
  spans?: WireSpan[];
};

import type { WireSpan } from './wire-span.ts';

/** Takes the spans a pool worker sent back with a reply (src/telemetry/ exports them). */
export type WorkerSpanSink = (spans: readonly WireSpan[]) => void;

let sink: WorkerSpanSink | undefined;

/**
 * Where the pools hand the spans that come back in replies. One per process, set by the
 * tracing setup of the main thread before any pool starts; unset (tracing off, or a command
 * that does not export), the spans are dropped.
 */
export function setWorkerSpanSink(next: WorkerSpanSink | undefined): void {
  sink = next;
}

/** Called by the pools with each reply's spans. */
export function forwardWorkerSpans(spans: readonly WireSpan[] | undefined): void {
  if (spans !== undefined && spans.length > 0 && sink !== undefined) sink(spans);
}

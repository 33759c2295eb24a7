import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WireSpan } from '../strategies/wire-span.ts';

/**
 * Spans a worker may hold between two replies. A reply follows every task within its job's
 * timeout, so this is only reached by a worker whose spans end outside any task; beyond it the
 * oldest are dropped (and counted), never the worker's memory.
 */
const MAX_HELD_SPANS = 8192;

/** The plain-data copy of a span that ended, for the reply (see WireSpan). */
export function toWireSpan(span: ReadableSpan): WireSpan {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const scope = span.instrumentationScope;
  const traceState = context.traceState?.serialize();
  return {
    name: span.name,
    kind: span.kind,
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
    traceState: traceState === '' ? undefined : traceState,
    parentSpanId: parent?.spanId,
    parentIsRemote: parent?.isRemote,
    startTime: [span.startTime[0], span.startTime[1]],
    endTime: [span.endTime[0], span.endTime[1]],
    status: { code: span.status.code, message: span.status.message },
    attributes: span.attributes as Record<string, unknown>,
    events: span.events.map((event) => ({ name: event.name, time: [event.time[0], event.time[1]], attributes: event.attributes as Record<string, unknown> | undefined, droppedAttributesCount: event.droppedAttributesCount })),
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, traceFlags: link.context.traceFlags, attributes: link.attributes as Record<string, unknown> | undefined, droppedAttributesCount: link.droppedAttributesCount })),
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    scope: { name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl },
  };
}

/**
 * The span processor of a pool worker: instead of exporting, it keeps every sampled span that
 * ended, as plain data, until the worker's next reply takes them ({@link take}). The spans of a
 * task (its `execute` span and the client spans inside it) have all ended when its reply is
 * sent, so they travel with it; a worker killed after replying has lost nothing.
 */
export class ReplySpanCollector implements SpanProcessor {
  #held: WireSpan[] = [];
  #dropped = 0;

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // 1 = TraceFlags.SAMPLED; a span recorded but not sampled is not exported anywhere.
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.#held.length >= MAX_HELD_SPANS) {
      this.#held.shift();
      this.#dropped++;
    }
    this.#held.push(toWireSpan(span));
  }

  /** Every span that ended since the last call, or undefined for none. */
  take(): WireSpan[] | undefined {
    if (this.#held.length === 0) return undefined;
    const spans = this.#held;
    this.#held = [];
    return spans;
  }

  /** Spans dropped because none of them had been taken for MAX_HELD_SPANS spans. */
  get dropped(): number {
    return this.#dropped;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}

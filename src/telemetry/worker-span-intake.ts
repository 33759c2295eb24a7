import { type Attributes, type Context, createTraceState, type HrTime, type Link, type SpanContext, type SpanKind, type SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { WireSpan, WireTime } from '../strategies/wire-span.ts';

const NANOS_PER_SECOND = 1e9;

function duration(start: WireTime, end: WireTime): HrTime {
  let seconds = end[0] - start[0];
  let nanos = end[1] - start[1];
  if (nanos < 0) {
    seconds -= 1;
    nanos += NANOS_PER_SECOND;
  }
  return [seconds, nanos];
}

/** A span rebuilt from the wire: what the exporters read of a ReadableSpan, and nothing more. */
class WorkerSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly duration: HrTime;
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  readonly #context: SpanContext;

  constructor(wire: WireSpan, resource: Resource, scope: InstrumentationScope) {
    this.name = wire.name;
    this.kind = wire.kind;
    this.#context = { traceId: wire.traceId, spanId: wire.spanId, traceFlags: wire.traceFlags, traceState: wire.traceState === undefined ? undefined : createTraceState(wire.traceState) };
    this.parentSpanContext = wire.parentSpanId === undefined ? undefined : { traceId: wire.traceId, spanId: wire.parentSpanId, traceFlags: wire.traceFlags, isRemote: wire.parentIsRemote };
    this.startTime = wire.startTime;
    this.endTime = wire.endTime;
    this.duration = duration(wire.startTime, wire.endTime);
    this.status = wire.status as SpanStatus;
    this.attributes = wire.attributes as Attributes;
    this.events = wire.events as TimedEvent[];
    this.links = wire.links.map((link) => ({ context: { traceId: link.traceId, spanId: link.spanId, traceFlags: link.traceFlags }, attributes: link.attributes as Attributes | undefined, droppedAttributesCount: link.droppedAttributesCount }));
    [this.droppedAttributesCount, this.droppedEventsCount, this.droppedLinksCount] = wire.dropped;
    this.resource = resource;
    this.instrumentationScope = scope;
  }

  spanContext(): SpanContext {
    return this.#context;
  }
}

/**
 * The main thread's span processor, in front of its exporting processors: its own spans pass
 * through, and the spans pool workers send back with their replies ({@link accept}) join them,
 * so one exporter sends both. A worker span takes the main thread's resource (service.name
 * `concurrency-lab`, as in the workers; the worker's pid and thread id are the execute span's
 * attributes), and one scope object per tracer, since the OTLP serialiser groups spans by the
 * identity of their resource and scope.
 */
export class WorkerSpanIntake implements SpanProcessor {
  readonly #processors: readonly SpanProcessor[];
  readonly #fallbackResource: Resource;
  readonly #scopes = new Map<string, InstrumentationScope>();
  #resource: Resource | undefined;

  constructor(processors: readonly SpanProcessor[], fallbackResource: Resource) {
    this.#processors = processors;
    this.#fallbackResource = fallbackResource;
  }

  onStart(span: Span, parentContext: Context): void {
    // Every worker span is the child of a job span that started here first.
    this.#resource ??= span.resource;
    for (const processor of this.#processors) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.#processors) processor.onEnd(span);
  }

  /** Hands spans that ended in a pool worker to the exporting processors. */
  accept(spans: readonly WireSpan[]): void {
    const resource = this.#resource ?? this.#fallbackResource;
    for (const wire of spans) {
      const span = new WorkerSpan(wire, resource, this.#scopeOf(wire.scope));
      for (const processor of this.#processors) processor.onEnd(span);
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.#processors.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.#processors.map((processor) => processor.shutdown()));
  }

  #scopeOf(wire: WireSpan['scope']): InstrumentationScope {
    const key = `${wire.name}\u0000${wire.version ?? ''}\u0000${wire.schemaUrl ?? ''}`;
    let scope = this.#scopes.get(key);
    if (scope === undefined) {
      scope = { name: wire.name, version: wire.version, schemaUrl: wire.schemaUrl };
      this.#scopes.set(key, scope);
    }
    return scope;
  }
}

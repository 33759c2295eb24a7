/** [seconds, nanoseconds] since the epoch, as OpenTelemetry keeps times. */
export type WireTime = [number, number];

/**
 * A span that ended in a pool worker, as plain data: it travels back with the reply of the task
 * it belongs to (structured clone for threads, JSON over IPC for child processes), and the main
 * thread exports it. So a worker that dies after it replied has lost none of its spans, and no
 * worker needs an exporter of its own. Defined here, free of OpenTelemetry imports, because the
 * wire format is the strategies'; src/telemetry/ fills it in and reads it.
 */
export interface WireSpan {
  name: string;
  /** SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  traceId: string;
  spanId: string;
  traceFlags: number;
  /** W3C tracestate, serialised; absent when empty. */
  traceState?: string | undefined;
  parentSpanId?: string | undefined;
  /** The parent came from another process or thread (the job span, through the task's trace context). */
  parentIsRemote?: boolean | undefined;
  startTime: WireTime;
  endTime: WireTime;
  /** SpanStatusCode (0 unset, 1 ok, 2 error) and its message. */
  status: { code: number; message?: string | undefined };
  attributes: Record<string, unknown>;
  events: { name: string; time: WireTime; attributes?: Record<string, unknown> | undefined; droppedAttributesCount?: number | undefined }[];
  links: { traceId: string; spanId: string; traceFlags: number; attributes?: Record<string, unknown> | undefined; droppedAttributesCount?: number | undefined }[];
  /** Attributes, events and links the SDK's limits dropped. */
  dropped: [attributes: number, events: number, links: number];
  /** The instrumentation scope (tracer) that made it. */
  scope: { name: string; version?: string | undefined; schemaUrl?: string | undefined };
}

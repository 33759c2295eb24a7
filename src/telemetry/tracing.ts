// Only types at the top: the SDK (about 40 MB and half a second per thread or process) is
// loaded when tracing is on, so OTEL_SDK_DISABLED=true costs a worker nothing.
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { WireSpan } from '../strategies/wire-span.ts';
import { setWorkerSpanSink } from '../strategies/worker-span-sink.ts';

export interface TracingOptions {
  /** service.name unless OTEL_SERVICE_NAME says otherwise. */
  defaultServiceName: string;
  /**
   * Pool workers: keep the sampled spans that end here for the next task reply
   * ({@link Tracing.takeSpans}) instead of exporting them; the main thread exports them with its
   * own (a worker ended abruptly after it replied loses nothing). Default false: export here.
   */
  spansInReplies?: boolean;
  /** Ignore incoming requests to these paths (scrapes and probes). */
  ignoredPaths?: readonly string[];
}

export interface Tracing {
  /** One line for the startup log: where spans go. */
  readonly description: string;
  /** Exports every ended span that is still buffered. */
  flush(): Promise<void>;
  /** Flushes and stops; later spans are dropped. */
  shutdown(): Promise<void>;
  /** With spansInReplies: the spans that ended since the last call, for a reply (undefined for none). */
  takeSpans(): WireSpan[] | undefined;
}

const NO_SPANS = (): undefined => undefined;

/** Keeps spans (and trace ids for exemplars) alive when nothing exports them: the SDK sets up no tracing at all without a processor. */
const DISCARD: SpanProcessor = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };

const env = (name: string): string | undefined => {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** The OTLP exporter for OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL; each reads its endpoint and headers from the environment. */
async function otlpExporter(): Promise<{ exporter: SpanExporter; protocol: string }> {
  const protocol = env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  switch (protocol) {
    case 'grpc':
      return { exporter: new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter(), protocol };
    case 'http/json':
      return { exporter: new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(), protocol };
    default:
      return { exporter: new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(), protocol: 'http/protobuf' };
  }
}

const exporterNames = (): string[] => (env('OTEL_TRACES_EXPORTER') ?? 'otlp').split(',').map((name) => name.trim());
const otlpEndpoint = (): string | undefined => env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? env('OTEL_EXPORTER_OTLP_ENDPOINT');

/** Whether spanPipeline() would export anywhere: a pool worker needs to know, not the exporters. */
function exportsSpans(): boolean {
  const exporters = exporterNames();
  return !exporters.includes('none') && (exporters.includes('console') || (exporters.includes('otlp') && otlpEndpoint() !== undefined));
}

/** What to do with finished spans, from the standard variables (OTEL_BSP_* for the batches), and how to say so. */
async function spanPipeline(): Promise<{ processors: SpanProcessor[]; description: string }> {
  const { BatchSpanProcessor, ConsoleSpanExporter } = await import('@opentelemetry/sdk-trace-base');
  const wrap = (exporter: SpanExporter): SpanProcessor => new BatchSpanProcessor(exporter);
  const exporters = exporterNames();
  if (exporters.includes('none')) return { processors: [DISCARD], description: 'traces are recorded (trace ids in exemplars) but not exported: OTEL_TRACES_EXPORTER=none' };
  const processors: SpanProcessor[] = [];
  const targets: string[] = [];
  if (exporters.includes('console')) {
    processors.push(wrap(new ConsoleSpanExporter()));
    targets.push('the console');
  }
  if (exporters.includes('otlp')) {
    const endpoint = otlpEndpoint();
    if (endpoint === undefined) {
      targets.push('nowhere over OTLP (set OTEL_EXPORTER_OTLP_ENDPOINT to export them; trace ids still appear in exemplars)');
    } else {
      const { exporter, protocol } = await otlpExporter();
      processors.push(wrap(exporter));
      targets.push(`${endpoint} (OTLP ${protocol})`);
    }
  }
  return { processors: processors.length > 0 ? processors : [DISCARD], description: `traces go to ${targets.join(' and ')}` };
}

/**
 * Starts the OpenTelemetry SDK in this thread or process, before the modules it instruments
 * are loaded (import them afterwards, dynamically). Configured by the standard OTEL_*
 * variables: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER(_ARG),
 * OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT / PROTOCOL / HEADERS.
 * OpenTelemetry metrics and logs stay off: metrics are prom-client's.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (env('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') {
    return { description: 'traces are off (OTEL_SDK_DISABLED=true)', flush: async () => {}, shutdown: async () => {}, takeSpans: NO_SPANS };
  }
  // A pool worker serves no HTTP and calls out only through undici: it needs neither the http
  // instrumentation nor the loader hook that instruments ESM imports of node:http.
  const servesHttp = options.spansInReplies !== true;
  const [importHooks, { diag, DiagConsoleLogger, DiagLogLevel }, httpInstrumentation, { UndiciInstrumentation }, { NodeSDK }] = await Promise.all([
    servesHttp ? import('import-in-the-middle/register-hooks.mjs') : undefined,
    import('@opentelemetry/api'),
    servesHttp ? import('@opentelemetry/instrumentation-http') : undefined,
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/sdk-node'),
  ]);
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  // ESM imports of node:http are only instrumented through a loader hook; the synchronous
  // in-thread hook intercepts just this module, in this thread.
  importHooks?.register({ include: ['http', 'node:http'] });
  const serviceName = env('OTEL_SERVICE_NAME') ?? options.defaultServiceName;
  let processor: SpanProcessor;
  let description: string;
  let takeSpans: () => WireSpan[] | undefined = NO_SPANS;
  if (options.spansInReplies === true) {
    // Kept for the replies only if the main thread exports anything at all (same variables).
    const collector = exportsSpans() ? new (await import('./reply-span-collector.ts')).ReplySpanCollector() : undefined;
    processor = collector ?? DISCARD;
    if (collector !== undefined) takeSpans = () => collector.take();
    description = collector === undefined ? 'traces are recorded, not exported' : 'spans go back with each task reply';
  } else {
    const pipeline = await spanPipeline();
    const [{ WorkerSpanIntake }, { resourceFromAttributes }] = await Promise.all([import('./worker-span-intake.ts'), import('@opentelemetry/resources')]);
    const intake = new WorkerSpanIntake(pipeline.processors, resourceFromAttributes({ 'service.name': serviceName }));
    processor = intake;
    description = pipeline.description;
    setWorkerSpanSink(pipeline.processors[0] === DISCARD ? undefined : (spans) => intake.accept(spans));
  }
  const ignoredPaths = new Set(options.ignoredPaths ?? []);
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [processor],
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      ...(httpInstrumentation !== undefined
        ? [
            new httpInstrumentation.HttpInstrumentation({
              ignoreIncomingRequestHook: (request) => ignoredPaths.has((request.url ?? '').split('?')[0]!),
              // The lab's only outgoing HTTP is undici's, instrumented below.
              ignoreOutgoingRequestHook: () => true,
            }),
          ]
        : []),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return {
    description,
    flush: () => processor.forceFlush(),
    shutdown: () => sdk.shutdown(),
    takeSpans,
  };
}

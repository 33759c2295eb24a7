import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.ts';
import { type StartedProcess, startProcess } from './started-process.ts';
import { resolveTool } from './tools.ts';
import { waitFor } from './wait-for.ts';

/** A span as the collector's file exporter writes it (OTLP JSON), with its service. */
export interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** code 2 is an error; absent when unset. */
  status?: { code?: number; message?: string };
}

export interface RunningCollector {
  /** OTLP/HTTP endpoint for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly otlpHttpUrl: string;
  readonly process: StartedProcess;
  /** Every span received so far. */
  spans(): Promise<ExportedSpan[]>;
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) result[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
  return result;
}

/**
 * Starts the lab's own OpenTelemetry Collector build (otelcol-lab) with an OTLP/HTTP receiver
 * on a free loopback port and the file exporter, so a test reads back exactly what arrived.
 */
export async function startCollector(): Promise<RunningCollector> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-otelcol-'));
  const output = join(dir, 'traces.jsonl');
  const port = await freePort();
  const healthPort = await freePort();
  const config = {
    extensions: { health_check: { endpoint: `127.0.0.1:${healthPort}` } },
    receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${port}` } } } },
    exporters: { file: { path: output } },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], exporters: ['file'] } },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
  };
  const configPath = join(dir, 'config.yaml');
  await writeFile(configPath, stringify(config));
  const started = await startProcess(resolveTool('otelcol-lab'), [`--config=${configPath}`]);
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${healthPort}/`)).ok, { description: 'the collector to be healthy', timeoutMs: 20_000 });
  } catch (error) {
    await started.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n--- otelcol-lab output ---\n${started.output().slice(-4000)}`, { cause: error });
  }
  return {
    otlpHttpUrl: `http://127.0.0.1:${port}`,
    process: started,
    async spans() {
      let text: string;
      try {
        text = await readFile(output, 'utf8');
      } catch {
        return [];
      }
      const spans: ExportedSpan[] = [];
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const request = JSON.parse(line) as { resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: (Omit<ExportedSpan, 'service' | 'attributes'> & { attributes: OtlpAttribute[] })[] }[] }[] };
        for (const resourceSpans of request.resourceSpans) {
          const service = String(attributes(resourceSpans.resource.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans) {
            for (const span of scope.spans) spans.push({ ...span, parentSpanId: span.parentSpanId ?? '', service, attributes: attributes(span.attributes) });
          }
        }
      }
      return spans;
    },
    async stop() {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

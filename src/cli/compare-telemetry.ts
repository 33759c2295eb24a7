import type { JobObserver } from '../jobs/job-observer.ts';
import type { ResolvedCompareOptions } from '../report/compare-options.ts';

export interface CompareTelemetry {
  readonly telemetry: NonNullable<ResolvedCompareOptions['telemetry']>;
  readonly observer: JobObserver | undefined;
  /** Exports what is buffered so far (between rounds). */
  flush(): Promise<void>;
  /** Exports what is still buffered; call after the last job. */
  shutdown(): Promise<void>;
}

/** The OTEL_* variables a run had, for the report; never the headers (they may carry credentials). */
function otelSettings(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('OTEL_') && !name.includes('HEADERS') && value !== undefined && value.trim() !== '') settings[name] = value.trim();
  }
  return settings;
}

/**
 * The telemetry of a compare. Untraced by default (OTEL_SDK_DISABLED=true, for the compare's
 * thread and the workers it starts), since tracing costs the strategies unequally (see the
 * overhead benchmark). `--traced`: the SDK starts here (sampler always_on unless
 * OTEL_TRACES_SAMPLER says otherwise, exporters from OTEL_*), and every job gets the daemon's
 * job telemetry (job, queue and execute spans, the job metrics), so the comparison measures the
 * strategies as the daemon runs them traced.
 */
export async function startCompareTelemetry(traced: boolean): Promise<CompareTelemetry> {
  if (!traced) {
    process.env.OTEL_SDK_DISABLED = 'true';
    return { telemetry: { traced: false, settings: otelSettings(), description: 'traces are off' }, observer: undefined, flush: async () => {}, shutdown: async () => {} };
  }
  process.env.OTEL_SDK_DISABLED = 'false';
  if ((process.env.OTEL_TRACES_SAMPLER ?? '').trim() === '') process.env.OTEL_TRACES_SAMPLER = 'always_on';
  const [{ startTracing }, { JobTelemetry }, { LabMetrics }] = await Promise.all([import('../telemetry/tracing.ts'), import('../telemetry/job-telemetry.ts'), import('../telemetry/lab-metrics.ts')]);
  const tracing = await startTracing({ defaultServiceName: 'concurrency-lab' });
  return {
    telemetry: { traced: true, settings: otelSettings(), description: tracing.description },
    observer: new JobTelemetry(new LabMetrics()),
    flush: () => tracing.flush(),
    shutdown: () => tracing.shutdown(),
  };
}

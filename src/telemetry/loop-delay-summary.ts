import type { Histogram } from 'node:perf_hooks';
import type { Registry, RegistryContentType } from 'prom-client';
import { LOOP_DELAY_RESOLUTION_MS } from '../measurement/loop-delay.ts';

/** One sample line, as prom-client's registry formats them. */
interface SampleValue {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

const NS_PER_SECOND = 1e9;
const QUANTILES = [
  ['0.5', 50],
  ['0.99', 99],
  ['1', 100],
] as const;

/**
 * lab_event_loop_delay_seconds: a summary (p50, p99, max, sum, count) of the main thread's
 * event-loop delay over the last sampling period, taken from monitorEventLoopDelay's
 * histogram. prom-client's own Summary needs every observation; this one publishes the
 * histogram's quantiles as they are. The delay excludes the monitor's own timer interval.
 */
export class LoopDelaySummary {
  readonly name = 'lab_event_loop_delay_seconds';
  readonly help = "Main thread's event-loop delay over the last sampling period (monitorEventLoopDelay), by quantile (1 = max).";
  readonly type = 'summary';
  readonly aggregator = 'omit';
  readonly #resolutionNs: number;
  #values: SampleValue[] = [];

  constructor(registry: Registry<RegistryContentType>) {
    this.#resolutionNs = LOOP_DELAY_RESOLUTION_MS * 1e6;
    registry.registerMetric(this as never);
  }

  /** Publishes a period's histogram for the main thread under `strategy`, replacing the last one. */
  set(strategy: string, histogram: Histogram): void {
    const labels = { thread: 'main', strategy };
    const seconds = (ns: number): number => Math.max(0, ns - this.#resolutionNs) / NS_PER_SECOND;
    this.#values = [
      ...QUANTILES.map(([quantile, percentile]) => ({ labels: { ...labels, quantile }, value: seconds(histogram.percentile(percentile)) })),
      { metricName: `${this.name}_sum`, labels, value: seconds(histogram.mean) * histogram.count },
      { metricName: `${this.name}_count`, labels, value: histogram.count },
    ];
  }

  /** What prom-client's registry reads when it renders. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: SampleValue[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.#values };
  }

  reset(): void {
    this.#values = [];
  }
}

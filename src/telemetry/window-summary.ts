import type { Registry, RegistryContentType } from 'prom-client';

/** One sample line, as prom-client's registry formats them. */
interface SampleValue {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

/** A summary of one finished window: its quantiles, and the sum and count of what it observed. */
export interface WindowSummaryValue {
  quantiles: ReadonlyArray<readonly [quantile: string, value: number]>;
  sum: number;
  count: number;
}

/**
 * A summary whose series each describe the latest finished window of one label set (a cell):
 * quantile lines plus _sum and _count, replaced when the next window of that label set closes.
 * prom-client's Summary needs every observation and slides its own time window; here the
 * window is the driver's, and its figures are already computed.
 */
export class WindowSummary {
  readonly name: string;
  readonly help: string;
  readonly type = 'summary';
  readonly aggregator = 'omit';
  readonly #series = new Map<string, SampleValue[]>();

  constructor(registry: Registry<RegistryContentType>, name: string, help: string) {
    this.name = name;
    this.help = help;
    registry.registerMetric(this as never);
  }

  set(labels: Readonly<Record<string, string>>, value: WindowSummaryValue): void {
    const key = JSON.stringify(labels);
    this.#series.set(key, [
      ...value.quantiles.map(([quantile, sample]) => ({ labels: { ...labels, quantile }, value: sample })),
      { metricName: `${this.name}_sum`, labels: { ...labels }, value: value.sum },
      { metricName: `${this.name}_count`, labels: { ...labels }, value: value.count },
    ]);
  }

  /** What prom-client's registry reads when it renders. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: SampleValue[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.#series.values()].flat() };
  }

  reset(): void {
    this.#series.clear();
  }
}

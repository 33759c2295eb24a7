import { Registry, type RegistryContentType } from 'prom-client';

export interface Exposition {
  contentType: string;
  body: string;
}

/** Whether an Accept header asks for OpenMetrics (Prometheus does when it scrapes with exemplars or by default since 2.x). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

/**
 * Renders one OpenMetrics registry in either format. prom-client renames counters in place
 * when it writes OpenMetrics (lab_jobs_total becomes lab_jobs + _total), so the Prometheus
 * text format restores the names first, and renders never overlap.
 */
export class MetricsExposition {
  readonly #registry: Registry<RegistryContentType>;
  #previous: Promise<unknown> = Promise.resolve();

  constructor(registry: Registry<RegistryContentType>) {
    this.#registry = registry;
  }

  render(accept: string | undefined): Promise<Exposition> {
    const openMetrics = wantsOpenMetrics(accept);
    const rendering = this.#previous.then(() => (openMetrics ? this.#openMetrics() : this.#text()));
    this.#previous = rendering.catch(() => {});
    return rendering;
  }

  async #openMetrics(): Promise<Exposition> {
    this.#registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: await this.#registry.metrics() };
  }

  async #text(): Promise<Exposition> {
    for (const metric of this.#registry.getMetricsAsArray() as unknown as { name: string; type: string }[]) {
      if (metric.type === 'counter' && !metric.name.endsWith('_total')) metric.name = `${metric.name}_total`;
    }
    this.#registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
    try {
      return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await this.#registry.metrics() };
    } finally {
      this.#registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    }
  }
}

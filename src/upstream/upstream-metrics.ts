import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** The upstream's own metrics on its GET /metrics: responses by status, and Node's defaults. */
export class UpstreamMetrics {
  readonly registry = new Registry();
  readonly responses = new Counter({ name: 'upstream_responses_total', help: 'Responses the upstream sent, by status code.', labelNames: ['status_code'] as const, registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}

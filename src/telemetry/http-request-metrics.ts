import type { FastifyInstance } from 'fastify';
import type { LabMetrics } from './lab-metrics.ts';

const MS_PER_SECOND = 1000;

/**
 * Counts and times every API request by method, route pattern (bounded: `unmatched` for
 * 404s) and status code.
 */
export function httpRequestMetrics(metrics: LabMetrics): (app: FastifyInstance) => void {
  return (app) => {
    app.addHook('onResponse', async (request, reply) => {
      const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, reply.elapsedTime / MS_PER_SECOND);
    });
  };
}

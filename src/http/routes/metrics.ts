import type { FastifyInstance } from 'fastify';
import type { MetricsExposition } from '../../telemetry/metrics-exposition.ts';
import type { RouteRegistrar } from '../api-server.ts';
import { resource } from '../resource.ts';

/** GET /metrics: Prometheus text, or OpenMetrics (with exemplars) when the scraper asks for it. */
export function metricsRoute(exposition: MetricsExposition): RouteRegistrar {
  return (app: FastifyInstance) => {
    resource(app, '/metrics', {
      GET: {
        handler: async (request, reply) => {
          const { contentType, body } = await exposition.render(request.headers.accept);
          return reply.type(contentType).send(body);
        },
      },
    });
  };
}

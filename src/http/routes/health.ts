import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

/** GET /healthz (the process answers) and GET /readyz (pools warmed up, upstream listening). */
export function healthRoutes(app: FastifyInstance, context: ApiContext): void {
  resource(app, '/healthz', { GET: { handler: async () => ({ status: 'ok' }) } });
  resource(app, '/readyz', {
    GET: {
      handler: async (_request, reply) => {
        const reason = context.notReadyReason();
        if (reason === undefined) return { status: 'ready' };
        return reply.code(503).send({ status: 'not ready', reason });
      },
    },
  });
}

import type { FastifyInstance, HTTPMethods, RouteHandlerMethod, RouteShorthandOptions } from 'fastify';
import { LabError } from '../errors.ts';

const METHODS: readonly HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

type ResourceMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type ResourceHandlers = Partial<Record<ResourceMethod, { handler: RouteHandlerMethod; options?: RouteShorthandOptions }>>;

/**
 * Registers a resource's methods and answers every other method with 405 and an Allow
 * header (fastify alone would answer 404). HEAD comes with GET.
 */
export function resource(app: FastifyInstance, url: string, handlers: ResourceHandlers): void {
  const allowed = Object.keys(handlers) as HTTPMethods[];
  for (const method of allowed) {
    const { handler, options } = handlers[method as ResourceMethod]!;
    app.route({ ...options, method, url, handler });
  }
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  app.route({
    method: METHODS.filter((method) => !allowed.includes(method)),
    url,
    handler: async (request, reply) => {
      reply.header('allow', allow);
      throw new LabError('LAB_ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url}; allowed: ${allow}`);
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { customScenarioNames, listScenarios } from '../../scenarios/catalog.ts';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

/** GET /api/v1/scenarios: every scenario with its kind and size bounds. */
export function scenarioRoutes(app: FastifyInstance, context: ApiContext): void {
  const body = {
    scenarios: listScenarios().map(({ name, kind, description, size }) => ({
      name,
      kind,
      description,
      custom: customScenarioNames().includes(name),
      driven: (context.config.scenarios as readonly string[]).includes(name),
      parameters: { size: { type: 'integer', minimum: size.min, maximum: size.max, default: size.default, unit: size.unit } },
    })),
  };
  resource(app, '/api/v1/scenarios', { GET: { handler: async () => body } });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LabError } from '../../errors.ts';
import { getScenario, type ScenarioName } from '../../scenarios/catalog.ts';
import { isStrategyName, STRATEGY_NAMES, type StrategyName } from '../../strategies/strategy.ts';
import { parseSize } from '../../scenarios/catalog.ts';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

const QUERY_KEYS = new Set(['strategy', 'size']);

function single(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (value === undefined || typeof value === 'string') return value;
  throw new LabError('LAB_ERR_PARAM_INVALID', `query parameter "${key}" must be given once`, { details: { parameter: key } });
}

function parseStrategy(raw: string | undefined, context: ApiContext): StrategyName {
  if (raw === undefined || raw === '') return context.defaultStrategy();
  if (!isStrategyName(raw)) throw new LabError('LAB_ERR_STRATEGY_UNKNOWN', `unknown strategy "${raw}"; known: ${STRATEGY_NAMES.join(', ')}`);
  return raw;
}

/**
 * POST /api/v1/jobs/{scenario}?strategy=S&size=X runs one job and answers when it is done.
 * A client that disconnects cancels its job.
 */
export function jobRoutes(app: FastifyInstance, context: ApiContext): void {
  resource(app, '/api/v1/jobs/:scenario', {
    POST: {
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const scenario = getScenario((request.params as { scenario: string }).scenario);
        const query = request.query as Record<string, unknown>;
        for (const key of Object.keys(query)) {
          if (!QUERY_KEYS.has(key)) throw new LabError('LAB_ERR_PARAM_INVALID', `unknown query parameter "${key}"; allowed: strategy, size`, { details: { parameter: key } });
        }
        const strategy = parseStrategy(single(query, 'strategy'), context);
        const size = parseSize(scenario, single(query, 'size'));

        const controller = new AbortController();
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) controller.abort();
        });
        return context.runner.run({ scenario: scenario.name as ScenarioName, kind: scenario.kind, strategy, size, signal: controller.signal });
      },
    },
  });
}

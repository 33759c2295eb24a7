import type { FastifyInstance } from 'fastify';
import { LabError } from '../../errors.ts';
import type { WorkerChaos } from '../../driver/chaos.ts';
import { isStrategyName, STRATEGY_NAMES } from '../../strategies/strategy.ts';
import type { RouteRegistrar } from '../api-server.ts';
import { resource } from '../resource.ts';

/**
 * POST /api/v1/chaos/kill-worker?strategy=S ends one worker of S's pool (default: the active
 * strategy) as a crash would; 200 {strategy, killed: {pid, threadId}}.
 */
export function chaosRoutes(chaos: WorkerChaos): RouteRegistrar {
  return (app: FastifyInstance, context) => {
    resource(app, '/api/v1/chaos/kill-worker', {
      POST: {
        handler: async (request) => {
          const query = request.query as Record<string, unknown>;
          for (const key of Object.keys(query)) {
            if (key !== 'strategy') throw new LabError('LAB_ERR_PARAM_INVALID', `unknown query parameter "${key}"; allowed: strategy`, { details: { parameter: key } });
          }
          const raw = query.strategy;
          if (raw !== undefined && typeof raw !== 'string') throw new LabError('LAB_ERR_PARAM_INVALID', 'query parameter "strategy" must be given once', { details: { parameter: 'strategy' } });
          if (raw !== undefined && raw !== '' && !isStrategyName(raw)) throw new LabError('LAB_ERR_STRATEGY_UNKNOWN', `unknown strategy "${raw}"; known: ${STRATEGY_NAMES.join(', ')}`);
          const strategy = raw === undefined || raw === '' ? context.defaultStrategy() : raw;
          const running = context.runner.strategy(strategy);
          const killed = chaos.killOne(strategy);
          if (killed === undefined) {
            const why = running.workerUsage() === undefined ? 'it runs on the main thread' : 'none of its workers is ready yet (starting, or replacing one that died); try again in a few seconds';
            throw new LabError('LAB_ERR_CHAOS_NO_WORKER', `the ${strategy} strategy has no worker to kill: ${why}`);
          }
          return { strategy, killed };
        },
      },
    });
  };
}

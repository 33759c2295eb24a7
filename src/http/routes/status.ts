import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

/** GET /api/v1/status: the active strategy, rotation, scenarios, pools and uptime. */
export function statusRoutes(app: FastifyInstance, context: ApiContext): void {
  resource(app, '/api/v1/status', {
    GET: {
      handler: async () => {
        const { config, runner, driver } = context;
        return {
          uptimeSeconds: (Date.now() - context.startedAtMs) / 1000,
          driver: driver === undefined ? 'off' : 'on',
          rotation: driver?.status() ?? { active: context.defaultStrategy(), strategies: config.strategies, rotateSeconds: config.rotateSeconds },
          scenarios: config.scenarios.map((name) => ({ name, size: config.sizes[name], concurrency: config.concurrency[name] })),
          pools: Object.fromEntries(
            config.strategies.map((name) => {
              const strategy = runner.strategy(name);
              return [name, { slots: Number.isFinite(strategy.slots) ? strategy.slots : null, ...runner.load(name), workers: strategy.workers(), restarts: strategy.restarts() }];
            }),
          ),
          upstreamUrl: context.upstreamUrl() ?? null,
          lastWindows: driver?.latestWindows() ?? [],
        };
      },
    },
  });
}

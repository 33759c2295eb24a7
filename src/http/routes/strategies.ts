import type { FastifyInstance } from 'fastify';
import { STRATEGY_NAMES } from '../../strategies/strategy.ts';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

const DESCRIPTIONS = {
  sequential: 'One job at a time on the main thread; the rest wait in a FIFO queue.',
  async: 'Every job starts at once on the main event loop: I/O interleaves, pure-JS work blocks the loop.',
  threads: 'A piscina pool of LAB_WORKERS worker threads: JavaScript runs in parallel; one CPU job per thread, up to LAB_IO_TASKS_PER_WORKER I/O jobs per thread.',
  processes: 'A pool of LAB_WORKERS child processes (tinypool): parallel and isolated, at the cost of memory and IPC; one CPU job per child, up to LAB_IO_TASKS_PER_WORKER I/O jobs per child.',
} as const;

/** GET /api/v1/strategies: every strategy, whether this daemon runs it, and its limits. */
export function strategyRoutes(app: FastifyInstance, context: ApiContext): void {
  resource(app, '/api/v1/strategies', {
    GET: {
      handler: async () => ({
        strategies: STRATEGY_NAMES.map((name) => {
          const running = context.config.strategies.includes(name);
          const slots = running ? context.runner.strategy(name).slots : undefined;
          const bounded = (value: number | undefined): number | null => (value === undefined || !Number.isFinite(value) ? null : value);
          return {
            name,
            description: DESCRIPTIONS[name],
            running,
            slots: { cpu: bounded(slots?.cpu), io: bounded(slots?.io) },
            queueLimit: context.config.queueLimit,
          };
        }),
        default: context.defaultStrategy(),
      }),
    },
  });
}

import type { FastifyInstance } from 'fastify';
import { LabError } from '../../errors.ts';
import type { LiveFeed } from '../../telemetry/live-feed.ts';
import type { ApiContext } from '../api-context.ts';
import type { RouteRegistrar } from '../api-server.ts';
import { resource } from '../resource.ts';

function parseSince(query: Record<string, unknown>): number {
  for (const key of Object.keys(query)) {
    if (key !== 'since') throw new LabError('LAB_ERR_PARAM_INVALID', `unknown query parameter "${key}"; allowed: since`, { details: { parameter: key } });
  }
  const raw = query.since;
  if (raw === undefined || raw === '') return 0;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new LabError('LAB_ERR_PARAM_INVALID', 'query parameter "since" must be given once, as a non-negative integer (the seq of the last sample seen)', { details: { parameter: 'since' } });
  }
  return Number(raw);
}

/**
 * GET /api/v1/live?since=SEQ: the live page's feed. The samples after SEQ from the feed's
 * ring buffer (one per second: each cell's jobs/s and p99, the main thread's loop delay) and
 * where the driver is, so one small request a second keeps the page current.
 */
export function liveRoute(feed: LiveFeed): RouteRegistrar {
  return (app: FastifyInstance, context: ApiContext) => {
    resource(app, '/api/v1/live', {
      GET: {
        handler: async (request) => {
          const since = parseSince(request.query as Record<string, unknown>);
          const status = context.driver?.status();
          return {
            intervalMs: feed.intervalMs,
            capacity: feed.capacity,
            seq: feed.seq,
            mix: context.config.mix,
            active:
              status === undefined
                ? null
                : {
                    strategy: status.active.strategy,
                    scenarios: status.active.cells.map((cell) => cell.scenario),
                    phase: status.phase,
                    secondsLeft: status.windowEndsAt === undefined ? null : Math.max(0, (Date.parse(status.windowEndsAt) - Date.now()) / 1000),
                  },
            samples: feed.samplesAfter(since),
          };
        },
      },
    });
  };
}

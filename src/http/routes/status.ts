import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context.ts';
import { resource } from '../resource.ts';

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

/** GET /api/v1/status: the running cell, the cycle, every cell's latest window, pools and uptime. */
export function statusRoutes(app: FastifyInstance, context: ApiContext): void {
  resource(app, '/api/v1/status', {
    GET: {
      handler: async () => {
        const { config, runner, driver } = context;
        const status = driver?.status();
        return {
          uptimeSeconds: (Date.now() - context.startedAtMs) / 1000,
          driver: driver === undefined ? 'off' : 'on',
          mix: config.mix,
          // With the driver off no strategy is active: jobs come from the API, for any strategy.
          rotation:
            status === undefined
              ? { active: null, strategies: config.strategies, rotateSeconds: config.rotateSeconds }
              : {
                  active: status.active.strategy,
                  cells: status.active.cells,
                  phase: status.phase,
                  phaseStartedAt: status.phaseStartedAt,
                  windowEndsAt: status.windowEndsAt ?? null,
                  secondsLeft: status.windowEndsAt === undefined ? null : Math.max(0, (Date.parse(status.windowEndsAt) - Date.now()) / 1000),
                  strategies: config.strategies,
                  rotateSeconds: status.rotateSeconds,
                  settleMs: status.settleMs,
                  drainBoundMs: status.drainBoundMs,
                  cycle: status.cycle,
                  rotations: status.windows,
                },
          scenarios: config.scenarios.map((name) => ({ name, size: config.sizes[name], concurrency: config.concurrency[name] })),
          pools: Object.fromEntries(
            config.strategies.map((name) => {
              const strategy = runner.strategy(name);
              const { cpu, io } = strategy.slots;
              return [
                name,
                {
                  size: strategy.workerCount,
                  slots: { cpu: finiteOrNull(cpu), io: finiteOrNull(io) },
                  ioTasksPerWorker: Number.isFinite(io) ? io / strategy.workerCount : null,
                  ...runner.load(name),
                  workers: strategy.workers(),
                  restarts: strategy.restarts(),
                },
              ];
            }),
          ),
          upstreamUrl: context.upstreamUrl() ?? null,
          cells: (driver?.latestWindows() ?? []).map(({ cell, startedAt, endedAt, figures, verdict }) => ({
            ...cell,
            startedAt,
            endedAt,
            seconds: figures.wallSeconds,
            jobs: figures.jobs,
            ok: figures.ok,
            errors: figures.errors,
            jobsPerSecond: figures.jobsPerSecond,
            latencyMs: { p50: finiteOrNull(figures.latencyMs.p50), p90: finiteOrNull(figures.latencyMs.p90), p99: finiteOrNull(figures.latencyMs.p99), max: finiteOrNull(figures.latencyMs.max) },
            coresUsed: figures.coresUsed,
            eventLoopDelayP99Ms: finiteOrNull(figures.eventLoopDelayP99Ms),
            memoryBytes: figures.memoryBytes,
            verdict: verdict ?? null,
          })),
        };
      },
    },
  });
}

import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from './config/load-config.ts';
import { Driver } from './driver/driver.ts';
import type { WindowRow } from './driver/window-stats.ts';
import type { ApiContext } from './http/api-context.ts';
import { createApiServer } from './http/api-server.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { formatTable } from './report/text-table.ts';
import { childPids } from './strategies/child-pids.ts';
import { createStrategy } from './strategies/create-strategy.ts';
import type { Strategy, StrategyName } from './strategies/strategy.ts';
import { metricsRoute } from './http/routes/metrics.ts';
import { faultRoutes } from './http/routes/faults.ts';
import { chaosRoutes } from './http/routes/chaos.ts';
import { WorkerChaos } from './driver/chaos.ts';
import { type RunningFaults, startFaults } from './faults/start-faults.ts';
import { recordActiveFaults } from './telemetry/fault-metrics.ts';
import { httpRequestMetrics } from './telemetry/http-request-metrics.ts';
import { JobTelemetry } from './telemetry/job-telemetry.ts';
import { LabMetrics } from './telemetry/lab-metrics.ts';
import { MetricsExposition } from './telemetry/metrics-exposition.ts';
import { ResourceUsage } from './telemetry/resource-usage.ts';
import { RuntimeSampler } from './telemetry/runtime-sampler.ts';
import { type EmbeddedUpstream, startEmbeddedUpstream } from './upstream/embedded-upstream.ts';

export interface RunningDaemon {
  /** Where the API listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Ordered shutdown: stop the driver, drain jobs within the grace period, close the server, pools and upstream. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  /** Where human-readable progress goes (default: stdout). */
  log?: ((line: string) => void) | undefined;
  /** What happens to traces, for the startup log (main.ts starts the SDK before anything is loaded). */
  tracesDescription?: string | undefined;
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** The driver's comparison table: the latest window of every strategy. */
export function formatWindows(rows: readonly WindowRow[]): string {
  return formatTable(
    ['strategy', 'scenario', 'jobs/s', 'p50 ms', 'p99 ms', 'errors', 'cores', 'loop p99 ms'],
    rows.map((row) => [row.strategy, row.scenario, fixed(row.jobsPerSecond, 1), fixed(row.p50Ms, 1), fixed(row.p99Ms, 1), row.errors, fixed(row.coresUsed, 2), fixed(row.eventLoopDelayP99Ms, 1)]),
  );
}

/**
 * The composition root: config → pools → upstream → runner → driver → HTTP. Listens first
 * (so /healthz answers while pools warm up), reports ready once every pool has warmed up.
 */
export async function startDaemon(config: ResolvedConfig, options: DaemonOptions = {}): Promise<RunningDaemon> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const startedAtMs = Date.now();
  const strategies = new Map<StrategyName, Strategy>(config.strategies.map((name) => [name, createStrategy(name, config.workers)]));
  let upstream: EmbeddedUpstream | undefined;
  let faults: RunningFaults | undefined;
  let stopChaos = (): void => {};
  let server: FastifyInstance | undefined;
  let notReadyReason: string | undefined = 'pools are warming up';
  const usage = new ResourceUsage(() => childPids(strategies.values()));
  const metrics = new LabMetrics();
  let sampler: RuntimeSampler | undefined;

  const closePools = async (): Promise<void> => {
    stopChaos();
    await sampler?.stop();
    await Promise.allSettled([...strategies.values()].map((strategy) => strategy.close()));
    usage.close();
  };

  try {
    if (config.upstreamUrl === undefined) upstream = await startEmbeddedUpstream({ delayMs: config.upstreamDelayMs, jitterMs: config.upstreamJitterMs, faults: config.faults.upstream });
    faults = await startFaults({ config, upstreamUrl: config.upstreamUrl ?? upstream?.url, onChange: (active) => recordActiveFaults(metrics, active) });
    const upstreamUrl = faults.upstreamUrl;
    const faultController = faults.controller;
    const runner = new JobRunner({ strategies, queueLimit: config.queueLimit, timeoutMs: config.jobTimeoutMs, upstreamUrl, observer: new JobTelemetry(metrics, { faults: () => faultController.activeLabel() }) });
    const driver = config.driver
      ? new Driver({
          runner,
          usage,
          config,
          onWindow: (_window, latest) => log(`\n${new Date().toISOString()} latest window per strategy:\n${formatWindows(latest)}`),
        })
      : undefined;
    const context: ApiContext = {
      config,
      runner,
      driver,
      startedAtMs,
      defaultStrategy: () => driver?.active ?? config.strategies[0]!,
      notReadyReason: () => notReadyReason,
      upstreamUrl: () => upstreamUrl,
    };
    const chaos = new WorkerChaos({ strategies, activeStrategy: context.defaultStrategy, intervalMs: config.chaosKillIntervalMs, onKill: (strategy, worker) => log(`chaos: killed ${strategy} worker pid ${worker.pid} thread ${worker.threadId}`) });
    stopChaos = () => chaos.stop();
    server = createApiServer(context, [httpRequestMetrics(metrics), metricsRoute(new MetricsExposition(metrics.registry)), faultRoutes(faults.controller), chaosRoutes(chaos)]);
    sampler = new RuntimeSampler({ metrics, strategies, runner, usage, activeStrategy: context.defaultStrategy });
    await sampler.start();
    await server.listen({ host: config.host, port: config.port });
    const address = server.server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    log(`concurrency-lab listening on ${url} (strategies ${config.strategies.join(',')}, workers ${config.workers}, driver ${config.driver ? 'on' : 'off'}, upstream ${upstreamUrl})`);
    log(`metrics on ${url}/metrics; ${options.tracesDescription ?? 'traces are off'}`);

    await Promise.all([...strategies.values()].map((strategy) => strategy.ready()));
    notReadyReason = undefined;
    chaos.start();
    if (driver !== undefined) {
      await driver.start();
      log(`driver running ${config.scenarios.join(', ')}; strategy ${driver.active}${config.strategies.length > 1 ? `, rotating every ${config.rotateSeconds} s` : ''}`);
    }

    const app = server;
    let stopping: Promise<void> | undefined;
    return {
      url,
      stop: () => {
        stopping ??= (async () => {
          notReadyReason = 'shutting down';
          stopChaos();
          // Lanes stop starting jobs while the runner lets in-flight ones finish (or cancels them at the deadline).
          await Promise.all([driver?.stop(), runner.drain(config.shutdownGraceMs)]);
          await app.close();
          await closePools();
          await faults?.close().catch(() => {});
          await upstream?.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await server?.close();
    await closePools();
    await faults?.close().catch(() => {});
    await upstream?.stop();
    throw error;
  }
}

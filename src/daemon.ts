import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ResolvedConfig } from './config/load-config.ts';
import { planCycle } from './driver/cell.ts';
import type { CellWindow } from './driver/cell-observer.ts';
import { Driver } from './driver/driver.ts';
import type { ApiContext } from './http/api-context.ts';
import { createApiServer } from './http/api-server.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { ResourceUsage } from './measurement/resource-usage.ts';
import { SCENARIOS } from './scenarios/catalog.ts';
import { childPids } from './strategies/child-pids.ts';
import { createStrategy } from './strategies/create-strategy.ts';
import type { Strategy, StrategyName } from './strategies/strategy.ts';
import { liveRoute } from './http/routes/live.ts';
import { metricsRoute } from './http/routes/metrics.ts';
import { httpRequestMetrics } from './telemetry/http-request-metrics.ts';
import { CellMetrics } from './telemetry/cell-metrics.ts';
import { JobTelemetry } from './telemetry/job-telemetry.ts';
import { LabMetrics } from './telemetry/lab-metrics.ts';
import { LiveFeed } from './telemetry/live-feed.ts';
import { MetricsExposition } from './telemetry/metrics-exposition.ts';
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
  /** Called with each closed driver window, and with the cycle's latest windows after its last stage. */
  onWindow?: ((window: CellWindow, cycleDone: readonly CellWindow[] | undefined) => void) | undefined;
}

/**
 * The composition root: config → pools → upstream → runner → driver → HTTP. Listens first
 * (so /healthz answers while pools warm up), reports ready once every pool has warmed up.
 */
export async function startDaemon(config: ResolvedConfig, options: DaemonOptions = {}): Promise<RunningDaemon> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const startedAtMs = Date.now();
  const strategies = new Map<StrategyName, Strategy>(config.strategies.map((name) => [name, createStrategy(name, config.workers, config.ioTasksPerWorker)]));
  let upstream: EmbeddedUpstream | undefined;
  let server: FastifyInstance | undefined;
  let notReadyReason: string | undefined = 'pools are warming up';
  const usage = new ResourceUsage(() => childPids(strategies.values()));
  const metrics = new LabMetrics();
  let sampler: RuntimeSampler | undefined;
  const liveFeed = new LiveFeed({ inner: new JobTelemetry(metrics) });

  const closePools = async (): Promise<void> => {
    await sampler?.stop();
    liveFeed.stopSampling();
    await Promise.allSettled([...strategies.values()].map((strategy) => strategy.close()));
    usage.close();
  };

  try {
    if (config.upstreamUrl === undefined) upstream = await startEmbeddedUpstream({ delayMs: config.upstreamDelayMs, jitterMs: config.upstreamJitterMs });
    const upstreamUrl = config.upstreamUrl ?? upstream?.url;
    const runner = new JobRunner({ strategies, queueLimit: config.queueLimit, timeoutMs: config.jobTimeoutMs, upstreamUrl, observer: liveFeed });
    const cellMetrics = config.driver ? new CellMetrics(metrics, planCycle(config.scenarios, config.strategies, config.mix).flatMap((stage) => stage.cells)) : undefined;
    const driver = config.driver
      ? new Driver({
          runner,
          usage,
          config,
          kindOf: (scenario) => SCENARIOS[scenario].kind,
          observer: cellMetrics,
          onWindow: options.onWindow,
        })
      : undefined;
    const context: ApiContext = {
      config,
      runner,
      driver,
      startedAtMs,
      defaultStrategy: () => driver?.activeStrategy ?? config.strategies[0]!,
      notReadyReason: () => notReadyReason,
      upstreamUrl: () => upstreamUrl,
    };
    server = createApiServer(context, [httpRequestMetrics(metrics), metricsRoute(new MetricsExposition(metrics.registry)), liveRoute(liveFeed)]);
    sampler = new RuntimeSampler({ metrics, strategies, runner, usage, activeStrategy: () => driver?.activeStrategy });
    await sampler.start();
    liveFeed.startSampling();
    await server.listen({ host: config.host, port: config.port });
    const address = server.server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    log(`concurrency-lab listening on ${url} (strategies ${config.strategies.join(',')}, workers ${config.workers}, ${config.ioTasksPerWorker} I/O jobs per worker, driver ${config.driver ? `on, ${config.mix}` : 'off'}, upstream ${upstreamUrl})`);
    log(`metrics on ${url}/metrics; ${options.tracesDescription ?? 'traces are off'}`);
    log(`live page: open ${url}/ in a browser`);

    await Promise.all([...strategies.values()].map((strategy) => strategy.ready()));
    notReadyReason = undefined;
    if (driver !== undefined) {
      await driver.start();
      const { cycle } = driver.status();
      log(
        config.mix === 'isolated'
          ? `driver: ${cycle.cells.length} cell${cycle.cells.length === 1 ? '' : 's'} (${config.scenarios.join(', ')} × ${config.strategies.join(', ')}), one at a time, ${config.rotateSeconds} s measured each`
          : `driver: mixed, every scenario (${config.scenarios.join(', ')}) at once under ${config.strategies.join(', ')} in turn, ${config.rotateSeconds} s measured each`,
      );
    }

    const app = server;
    let stopping: Promise<void> | undefined;
    return {
      url,
      stop: () => {
        stopping ??= (async () => {
          notReadyReason = 'shutting down';
          // Lanes stop starting jobs while the runner lets in-flight ones finish (or cancels them at the deadline).
          await Promise.all([driver?.stop(), runner.drain(config.shutdownGraceMs)]);
          await app.close();
          await closePools();
          await upstream?.stop();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await server?.close();
    await closePools();
    await upstream?.stop();
    throw error;
  }
}

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
import { getScenario } from './scenarios/catalog.ts';
import { windowJudge } from './report/window-judge.ts';
import { childPids } from './strategies/child-pids.ts';
import { createStrategy } from './strategies/create-strategy.ts';
import type { Strategy, StrategyName } from './strategies/strategy.ts';
import { liveRoute } from './http/routes/live.ts';
import { metricsRoute } from './http/routes/metrics.ts';
import { faultRoutes } from './http/routes/faults.ts';
import { chaosRoutes } from './http/routes/chaos.ts';
import { WorkerChaos } from './driver/chaos.ts';
import { type RunningFaults, startFaults } from './faults/start-faults.ts';
import { recordActiveFaults } from './telemetry/fault-metrics.ts';
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
  let faults: RunningFaults | undefined;
  let stopChaos = (): void => {};
  let server: FastifyInstance | undefined;
  let notReadyReason: string | undefined = 'pools are warming up';
  const usage = new ResourceUsage(() => childPids(strategies.values()));
  const metrics = new LabMetrics();
  let sampler: RuntimeSampler | undefined;
  // The live page's feed sees every job first, then the telemetry; http job spans carry the active faults.
  const liveFeed = new LiveFeed({ inner: new JobTelemetry(metrics, { faults: () => faults?.controller.activeLabel() ?? 'none' }) });

  const closePools = async (): Promise<void> => {
    stopChaos();
    await sampler?.stop();
    liveFeed.stopSampling();
    await Promise.allSettled([...strategies.values()].map((strategy) => strategy.close()));
    usage.close();
  };

  try {
    if (config.upstreamUrl === undefined) upstream = await startEmbeddedUpstream({ delayMs: config.upstreamDelayMs, jitterMs: config.upstreamJitterMs, faults: config.faults.upstream });
    faults = await startFaults({ config, upstreamUrl: config.upstreamUrl ?? upstream?.url, onChange: (active) => recordActiveFaults(metrics, active) });
    const upstreamUrl = faults.upstreamUrl;
    const runner = new JobRunner({ strategies, queueLimit: config.queueLimit, timeoutMs: config.jobTimeoutMs, upstreamUrl, observer: liveFeed });
    const cellMetrics = config.driver ? new CellMetrics(metrics, planCycle(config.scenarios, config.strategies, config.mix).flatMap((stage) => stage.cells)) : undefined;
    const driver = config.driver
      ? new Driver({
          runner,
          usage,
          config,
          kindOf: (scenario) => getScenario(scenario).kind,
          observer: cellMetrics,
          judge: windowJudge(strategies),
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
    const chaos = new WorkerChaos({ strategies, activeStrategy: context.defaultStrategy, intervalMs: config.chaosKillIntervalMs, onKill: (strategy, worker) => log(`chaos: killed ${strategy} worker pid ${worker.pid} thread ${worker.threadId}`) });
    stopChaos = () => chaos.stop();
    server = createApiServer(context, [httpRequestMetrics(metrics), metricsRoute(new MetricsExposition(metrics.registry)), faultRoutes(faults.controller), chaosRoutes(chaos), liveRoute(liveFeed)]);
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
    chaos.start();
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

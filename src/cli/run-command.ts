import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { defaultConcurrency } from '../jobs/default-concurrency.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import { type LoadResult, runClosedLoop } from '../measurement/closed-loop.ts';
import { ResourceUsage } from '../measurement/resource-usage.ts';
import { formatTable } from '../report/text-table.ts';
import { BUILT_IN_SCENARIO_NAMES, getScenario, parseSize, scenarioNames, type ScenarioName } from '../scenarios/catalog.ts';
import { createStrategy } from '../strategies/create-strategy.ts';
import { STRATEGY_NAMES, type StrategyName } from '../strategies/strategy.ts';
import { DEFAULT_IO_TASKS_PER_WORKER } from '../strategies/strategy-slots.ts';
import { startEmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import { LabError } from '../errors.ts';
import { choiceOption, integerOption, upstreamUrlOption } from './option-parsers.ts';
import { childPids } from '../strategies/child-pids.ts';
import { collectPaths, loadScenarioModuleOption, parseAfterModules, SCENARIO_MODULE_DESCRIPTION, SCENARIO_MODULE_FLAGS } from './scenario-module-option.ts';

interface RunOptions {
  strategy: StrategyName;
  jobs: number;
  concurrency: number | undefined;
  size: string | undefined;
  workers: number;
  ioTasksPerWorker: number;
  upstreamUrl: string | undefined;
  delayMs: number;
  json: boolean;
  scenarioModule: string[];
}

function printResult(result: LoadResult, workers: number, ioTasksPerWorker: number): void {
  const errors = Object.entries(result.errors).map(([code, count]) => `${code} ×${count}`).join(', ') || 'none';
  process.stdout.write(
    `${result.scenario} on ${result.strategy} (size ${result.size}, concurrency ${result.concurrency}, ${workers} workers, ${ioTasksPerWorker} I/O jobs per worker): ${result.ok}/${result.jobs} jobs ok in ${result.wallSeconds.toFixed(2)} s\n\n` +
      formatTable(
        ['jobs/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'cores used', 'loop p99 ms'],
        [[result.jobsPerSecond.toFixed(1), result.latencyMs.p50.toFixed(2), result.latencyMs.p90.toFixed(2), result.latencyMs.p99.toFixed(2), result.latencyMs.max.toFixed(2), result.coresUsed.toFixed(2), result.eventLoopDelayP99Ms.toFixed(1)]],
      ) +
      `\n\nerrors: ${errors}\n`,
  );
}

/** `concurrency-lab run <scenario>`: one measured closed-loop run. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run one scenario on one strategy and print throughput and latency percentiles')
    .argument('<scenario>', `one of ${BUILT_IN_SCENARIO_NAMES.join(', ')}, or a scenario of --scenario-module`)
    .requiredOption('--strategy <strategy>', `one of ${STRATEGY_NAMES.join(', ')}`, choiceOption(STRATEGY_NAMES))
    .option('--jobs <n>', 'jobs to run', integerOption(1, 10_000_000), 100)
    .option('--concurrency <c>', 'jobs in flight (default: 2 × workers for cpu scenarios, 64 for io)', integerOption(1, 100_000))
    .option('--size <x>', "job size (default: the scenario's default; see GET /api/v1/scenarios)")
    .option('--workers <n>', 'pool size for threads and processes', integerOption(1, 256), availableParallelism())
    .option('--io-tasks-per-worker <n>', 'I/O jobs one worker thread or child process holds at once', integerOption(1, 10_000), DEFAULT_IO_TASKS_PER_WORKER)
    .option('--upstream-url <url>', 'upstream for the http scenario, an http:// or https:// URL (default: start the embedded one)', upstreamUrlOption)
    .option('--delay-ms <ms>', 'embedded upstream delay', integerOption(0, 60_000), 50)
    .option('--json', 'print the result as JSON', false)
    .option(SCENARIO_MODULE_FLAGS, SCENARIO_MODULE_DESCRIPTION, collectPaths, [])
    .action(async (scenarioArgument: string, options: RunOptions) => {
      await loadScenarioModuleOption(options.scenarioModule);
      const scenarioName: ScenarioName = parseAfterModules('command-argument value', scenarioArgument, choiceOption(scenarioNames()));
      const scenario = getScenario(scenarioName);
      let size: number;
      try {
        size = parseSize(scenario, options.size);
      } catch (error) {
        throw new LabError('LAB_ERR_ARGS_INVALID', `option '--size <x>': ${(error as Error).message}`);
      }
      const concurrency = options.concurrency ?? defaultConcurrency(scenario.kind, options.workers);
      const strategy = createStrategy(options.strategy, options.workers, options.ioTasksPerWorker);
      const usage = new ResourceUsage(() => childPids([strategy]));
      const upstream = scenario.kind === 'io' && options.upstreamUrl === undefined ? await startEmbeddedUpstream({ delayMs: options.delayMs, jitterMs: 0 }) : undefined;
      const progress = process.stderr.isTTY && !options.json ? new SingleBar({ format: '{bar} {value}/{total} jobs | {eta}s left', clearOnComplete: true }) : undefined;
      try {
        await strategy.ready();
        const runner = new JobRunner({
          strategies: new Map([[strategy.name, strategy]]),
          queueLimit: concurrency,
          timeoutMs: 60_000,
          upstreamUrl: options.upstreamUrl ?? upstream?.url,
        });
        progress?.start(options.jobs, 0);
        const result = await runClosedLoop({ runner, usage, scenario: scenarioName, kind: scenario.kind, strategy: strategy.name, size, concurrency, jobs: options.jobs, onProgress: (done) => progress?.update(done) });
        progress?.stop();
        if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else printResult(result, options.workers, options.ioTasksPerWorker);
        if (result.ok < result.jobs) process.exitCode = 1;
      } finally {
        progress?.stop();
        await strategy.close();
        usage.close();
        await upstream?.stop();
      }
    });
}

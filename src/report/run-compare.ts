import packageJson from '../../package.json' with { type: 'json' };
import type { LoadResult } from '../jobs/load-run.ts';
import { startEmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import type { ResolvedCompareOptions } from './compare-options.ts';
import { cpuConcurrency, planCompare, type PlannedRun } from './compare-plan.ts';
import { compareFindings } from './compare-findings.ts';
import { describeMachine } from './describe-machine.ts';
import { measureHowManyFit } from './how-many-fit.ts';
import { measureCombination } from './measure-combination.ts';
import { pythonFindings } from './python-findings.ts';
import { planPythonRuns, runPythonReference } from './python-reference.ts';
import type { PythonSection } from './python-schema.ts';
import type { CompareReport, RunRecord } from './report-schema.ts';

/** What a compare tells its progress display. */
export interface CompareProgressListener {
  /** Once, before the first step, with the estimated total. */
  start(estimatedSeconds: number, steps: number): void;
  /** Before each step, with its estimated duration. */
  step(label: string, expectedSeconds: number): void;
  stop(): void;
}


/** JSON has no NaN: a percentile with no successful job is null. */
function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function toRecord(result: LoadResult, sequentialJobsPerSecond: number | undefined): RunRecord {
  const { latencyMs } = result;
  return {
    scenario: result.scenario,
    strategy: result.strategy,
    size: result.size,
    concurrency: result.concurrency,
    jobs: result.jobs,
    ok: result.ok,
    errors: result.errors,
    wallSeconds: result.wallSeconds,
    jobsPerSecond: result.jobsPerSecond,
    latencyMs: { p50: finite(latencyMs.p50), p90: finite(latencyMs.p90), p99: finite(latencyMs.p99), max: finite(latencyMs.max), mean: finite(latencyMs.mean) },
    coresUsed: result.coresUsed,
    eventLoopDelayP99Ms: result.eventLoopDelayP99Ms,
    speedUpOverSequential: sequentialJobsPerSecond === undefined || sequentialJobsPerSecond <= 0 ? null : result.jobsPerSecond / sequentialJobsPerSecond,
  };
}

function label(run: PlannedRun): string {
  return `${run.scenario} on ${run.strategy}, ${run.concurrency} in flight`;
}

/**
 * Measures how many units fit, then every planned combination one at a time, and assembles
 * the report. The embedded upstream runs as its own process for the whole compare, so its
 * work never shares the measured event loop.
 */
export async function runCompare(options: ResolvedCompareOptions, progress: CompareProgressListener): Promise<CompareReport> {
  const startedAt = new Date();
  const startedMs = performance.now();
  const machine = describeMachine();
  const plan = planCompare(options);
  const needsUpstream = plan.runs.some((run) => run.kind === 'io');
  const fitSteps = options.strategies.filter((strategy) => strategy !== 'sequential').length;
  const pythonSteps = options.python === undefined ? 0 : planPythonRuns({ ...options, cpuConcurrency: cpuConcurrency(options.workers) }).length + 1;
  const pythonSeconds = pythonSteps * ((options.warmupMs + options.durationMs) / 1000 + 1);
  progress.start(plan.estimatedSeconds + pythonSeconds, plan.runs.length + fitSteps + pythonSteps);
  // First, while this process is fresh: later, RSS freed by the measured runs would be
  // reused by the new threads and requests, and their growth would read as nothing.
  const units = await measureHowManyFit({
    strategies: options.strategies,
    memoryBudgetMb: options.memoryBudgetMb,
    sample: options.fitSample,
    onStep: (step, expectedSeconds) => progress.step(step, expectedSeconds),
  });
  const upstream = needsUpstream ? await startEmbeddedUpstream({ delayMs: options.upstreamDelayMs, jitterMs: 0 }) : undefined;
  const results: LoadResult[] = [];
  let python: PythonSection | undefined;
  try {
    for (const run of plan.runs) {
      progress.step(label(run), run.expectedSeconds);
      results.push(await measureCombination(run, { workers: options.workers, warmupMs: options.warmupMs, durationMs: options.durationMs, upstreamUrl: upstream?.url }));
    }
    // The Python rows (issue 11): the same inputs and the same upstream as the Node rows.
    if (options.python !== undefined) {
      python = await runPythonReference({ ...options, interpreter: options.python, cpuConcurrency: cpuConcurrency(options.workers), upstreamUrl: upstream?.url, onStep: (step, seconds) => progress.step(step, seconds) });
    }
  } finally {
    await upstream?.stop();
  }
  progress.stop();

  const sequentialRate = (result: LoadResult): number | undefined =>
    results.find((other) => other.scenario === result.scenario && other.strategy === 'sequential' && other.concurrency === result.concurrency)?.jobsPerSecond;
  const records = results.map((result) => toRecord(result, sequentialRate(result)));
  const cpu = records.filter((_, index) => plan.runs[index]!.kind === 'cpu');
  const io = records.filter((_, index) => plan.runs[index]!.kind === 'io');
  const memory = { budgetMb: options.memoryBudgetMb, units };
  return {
    schemaVersion: 1,
    generator: { name: 'concurrency-lab', version: packageJson.version },
    startedAt: startedAt.toISOString(),
    elapsedSeconds: (performance.now() - startedMs) / 1000,
    estimatedSeconds: plan.estimatedSeconds,
    machine,
    parameters: {
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      scenarios: [...options.scenarios],
      strategies: [...options.strategies],
      workers: options.workers,
      cpuConcurrency: cpuConcurrency(options.workers),
      ioConcurrency: [...options.ioConcurrency],
      sizes: Object.fromEntries(options.scenarios.map((scenario) => [scenario, options.sizes[scenario]])),
      memoryBudgetMb: options.memoryBudgetMb,
      upstreamDelayMs: options.upstreamDelayMs,
    },
    cpu,
    io,
    skipped: [...plan.skipped],
    memory,
    findings: [...compareFindings({ machine, cpu, io, memory, upstreamDelayMs: options.upstreamDelayMs }), ...(python === undefined ? [] : pythonFindings(python, { machine, cpu, io }))],
    ...(python === undefined ? {} : { python }),
  };
}

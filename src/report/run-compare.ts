import packageJson from '../../package.json' with { type: 'json' };
import { startEmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import { REFERENCE_WORKERS, type ResolvedCompareOptions } from './compare-options.ts';
import { cpuConcurrency, planCompare, type PlannedPythonRun, type PlannedRun } from './compare-plan.ts';
import { compareFindings } from './compare-findings.ts';
import { applyCompareFaults } from './compare-faults.ts';
import { compareFaultsSection } from './report-faults.ts';
import { describeMachine } from './describe-machine.ts';
import { measureHowManyFit } from './how-many-fit.ts';
import { type MeasuredRun, summarizeRounds } from './compare-rounds.ts';
import { measureCombination } from './measure-combination.ts';
import { nodeMedians } from './node-medians.ts';
import { pythonFindings } from './python-findings.ts';
import { PythonReference } from './python-reference.ts';
import type { PythonSection } from './python-schema.ts';
import type { CompareReport } from './report-schema.ts';
import { busyMachineWarning } from './report-tables.ts';
import { speedUpWarnings } from './speed-up-flags.ts';
import { compareRecommendations } from './compare-recommendations.ts';
import { memoryBudgetBytes } from './verdict-rules.ts';
import { type PairedRun, summarizeTelemetryOverhead } from './telemetry-overhead.ts';

/** What a compare tells its progress display. */
export interface CompareProgressListener {
  /** Once, before the first step, with the estimated total. */
  start(estimatedSeconds: number, steps: number): void;
  /** Before each step, with its estimated duration. */
  step(label: string, expectedSeconds: number): void;
  stop(): void;
}

/** Python's memory per process, thread and coroutine, after the last round (progress estimate). */
const PYTHON_MEMORY_SECONDS = 10;

function roundOf(run: PlannedRun | PlannedPythonRun): string {
  return run.rounds > 1 ? `, round ${run.round}/${run.rounds}` : '';
}

function label(run: PlannedRun): string {
  const strategy = run.reference ? `${run.strategy} (${run.workers} worker, reference)` : run.strategy;
  return `${run.scenario} on ${strategy}, ${run.concurrency} in flight${roundOf(run)}`;
}

function pythonLabel(run: PlannedPythonRun): string {
  return `python ${run.workload} on ${run.model}, ${run.concurrency} in flight${roundOf(run)}`;
}

/**
 * Measures how many units fit, then every planned round one at a time (interleaved per
 * scenario, the Python rows' rounds among the Node ones), and assembles the report: per cell
 * the median and min–max across rounds. The embedded upstream runs as its own process for the
 * whole compare, so its work never shares the measured event loop.
 */
export async function runCompare(options: ResolvedCompareOptions, progress: CompareProgressListener): Promise<CompareReport> {
  const startedAt = new Date();
  const startedMs = performance.now();
  const machine = describeMachine();
  const plan = planCompare(options);
  const needsUpstream = plan.steps.some((step) => (step.language === 'node' ? step.run.kind === 'io' : step.run.workload === 'http'));
  const fitSteps = options.strategies.filter((strategy) => strategy !== 'sequential').length;
  const pythonMemorySteps = options.python === undefined ? 0 : 1;
  const traced = options.tracedSide === undefined ? [] : plan.runs.filter((run) => !run.reference);
  const tracedSeconds = traced.reduce((sum, run) => sum + run.expectedSeconds, 0);
  progress.start(plan.estimatedSeconds + tracedSeconds + pythonMemorySteps * PYTHON_MEMORY_SECONDS, plan.steps.length + traced.length + fitSteps + pythonMemorySteps);
  // First, while this process is fresh: later, RSS freed by the measured runs would be
  // reused by the new threads and requests, and their growth would read as nothing.
  const units = await measureHowManyFit({
    strategies: options.strategies,
    memoryBudgetMb: options.memoryBudgetMb,
    sample: options.fitSample,
    onStep: (step, expectedSeconds) => progress.step(step, expectedSeconds),
  });
  const upstream = needsUpstream ? await startEmbeddedUpstream({ delayMs: options.upstreamDelayMs, jitterMs: 0 }) : undefined;
  const measured: MeasuredRun[] = [];
  const tracedSide = options.tracedSide;
  const paired: PairedRun[] = [];
  let python: PythonSection | undefined;
  let faulted: Awaited<ReturnType<typeof applyCompareFaults>> | undefined;
  try {
    // --faults: the http cells (and Python's http rows) call the upstream with the preset on.
    if (upstream !== undefined && options.faults !== undefined) faulted = await applyCompareFaults(options.faults, upstream.url);
    const upstreamUrl = faulted?.upstreamUrl ?? upstream?.url;
    // The Python rows (issue 11): the same inputs and the same upstream as the Node rows.
    const reference = options.python === undefined ? undefined : await PythonReference.open({ ...options, interpreter: options.python, upstreamUrl });
    try {
      for (const [index, step] of plan.steps.entries()) {
        const position = index + 1;
        if (step.language === 'python') {
          progress.step(pythonLabel(step.run), step.run.expectedSeconds);
          await reference!.run(step.run, position);
          continue;
        }
        const run = step.run;
        const size = { workers: run.workers, ioTasksPerWorker: options.ioTasksPerWorker };
        const round = { size, warmupMs: options.warmupMs, durationMs: options.durationMs, upstreamUrl };
        const untraced = () => {
          progress.step(label(run), run.expectedSeconds);
          return measureCombination(run, { ...round, observer: options.observer });
        };
        if (tracedSide === undefined || run.reference) {
          measured.push({ planned: run, position, result: await untraced() });
          continue;
        }
        // --telemetry both: the same round traced, right before or after (alternating per step),
        // so the two sides of a ratio saw the same stretch of a drifting machine.
        const tracedFirst = index % 2 === 1;
        const measureTraced = () => {
          progress.step(`${label(run)}, traced`, run.expectedSeconds);
          return tracedSide.measure(run, round);
        };
        const traced = tracedFirst ? await measureTraced() : undefined;
        const result = await untraced();
        const pair = { planned: run, untraced: result, traced: traced ?? (await measureTraced()), tracedFirst };
        measured.push({ planned: run, position, result });
        paired.push(pair);
      }
      if (reference !== undefined) {
        progress.step('python: memory per process, thread and coroutine', PYTHON_MEMORY_SECONDS);
        python = await reference.finish();
      }
    } finally {
      await reference?.close();
    }
  } finally {
    await faulted?.close().catch(() => {});
    await upstream?.stop();
  }
  progress.stop();

  const { cpu, io } = summarizeRounds(measured, {
    ioTasksPerWorker: options.ioTasksPerWorker,
    cores: machine.availableParallelism,
    memoryBudgetBytes: memoryBudgetBytes(machine.totalMemoryBytes, process.constrainedMemory()),
  });
  const memory = { budgetMb: options.memoryBudgetMb, units };
  const busy = busyMachineWarning({ machine });
  return {
    schemaVersion: 3,
    generator: { name: 'concurrency-lab', version: packageJson.version },
    startedAt: startedAt.toISOString(),
    elapsedSeconds: (performance.now() - startedMs) / 1000,
    estimatedSeconds: plan.estimatedSeconds,
    machine,
    parameters: {
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      rounds: options.rounds,
      ioRounds: options.ioRounds,
      scenarios: [...options.scenarios],
      strategies: [...options.strategies],
      workers: options.workers,
      ioTasksPerWorker: options.ioTasksPerWorker,
      referenceWorkers: REFERENCE_WORKERS,
      cpuConcurrency: cpuConcurrency(options.workers),
      ioConcurrency: [...options.ioConcurrency],
      sizes: Object.fromEntries(options.scenarios.map((scenario) => [scenario, options.sizes[scenario]!])),
      memoryBudgetMb: options.memoryBudgetMb,
      upstreamDelayMs: options.upstreamDelayMs,
      ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    },
    cpu,
    io,
    skipped: [...plan.skipped],
    memory,
    recommendations: compareRecommendations([...cpu, ...io], machine.availableParallelism),
    findings: [...compareFindings({ machine, cpu, io, memory, upstreamDelayMs: options.upstreamDelayMs }), ...(python === undefined ? [] : pythonFindings(python, { machine, cpu: nodeMedians(cpu), io: nodeMedians(io) }))],
    warnings: [...(busy === undefined ? [] : [busy]), ...speedUpWarnings({ cpu, machine })],
    ...(tracedSide === undefined || options.telemetry === undefined ? {} : { telemetryOverhead: summarizeTelemetryOverhead(paired, { untraced: options.telemetry, traced: tracedSide.telemetry }) }),
    ...(options.faults === undefined ? {} : { faults: compareFaultsSection(options.faults, io) }),
    ...(python === undefined ? {} : { python }),
  };
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadResult } from '../../src/measurement/closed-loop.ts';
import { compareRecommendations } from '../../src/report/compare-recommendations.ts';
import { COMPARE_DEFAULTS } from '../../src/report/compare-options.ts';
import type { PlannedRun } from '../../src/report/compare-plan.ts';
import { compareFindings } from '../../src/report/compare-findings.ts';
import { type MeasuredRun, summarizeRounds } from '../../src/report/compare-rounds.ts';
import { type CompareReport, CompareReportSchema } from '../../src/report/report-schema.ts';
import { renderReportMarkdown } from '../../src/report/report-markdown.ts';
import { cpuTable, ioTable } from '../../src/report/report-tables.ts';
import { speedUpsAboveCores, speedUpWarnings } from '../../src/report/speed-up-flags.ts';
import type { StrategyName } from '../../src/strategies/strategy.ts';

const CORES = 2;

/** One measured round with a given throughput; the other figures are plausible constants. */
function measured(kind: 'cpu' | 'io', strategy: StrategyName, round: number, jobsPerSecond: number, extra: Partial<PlannedRun> = {}): Omit<MeasuredRun, 'position'> {
  const planned: PlannedRun = {
    kind,
    scenario: kind === 'cpu' ? 'matrix' : 'http',
    strategy,
    size: kind === 'cpu' ? 200 : 1024,
    concurrency: kind === 'cpu' ? 4 : 16,
    workers: 2,
    reference: false,
    rounds: 3,
    round,
    expectedSeconds: 5,
    ...extra,
  };
  const jobs = Math.round(jobsPerSecond * 4);
  // Asserted rather than annotated: the window figures grow (loop-delay mean and samples on main), and this test reads only these.
  const result = {
    scenario: planned.scenario,
    strategy,
    size: planned.size,
    concurrency: planned.concurrency,
    jobs,
    ok: jobs,
    errors: {},
    wallSeconds: 4,
    jobsPerSecond,
    latencyMs: { p50: 1000 / jobsPerSecond, p90: 1100 / jobsPerSecond, p99: 1200 / jobsPerSecond, max: 1300 / jobsPerSecond, mean: 1000 / jobsPerSecond },
    coresUsed: strategy === 'sequential' ? 1 : 1.9 + round / 100,
    eventLoopDelayP99Ms: 10 + round,
    eventLoopDelayMeanMs: 2,
    eventLoopDelaySamples: 400,
    memoryBytes: 100e6 + round,
    queueMsMean: 10,
    runMsMean: 10,
    busyJobs: 2,
    mainThreadUtilization: 0.5,
    gcShare: 0.01,
    jobThreadUtilization: 0.9,
  } as LoadResult;
  return { planned, result };
}

/** Three interleaved rounds on 2 cores where threads' median speed-up over sequential (2.5×) exceeds the cores. */
function constructedRuns(): MeasuredRun[] {
  const rates: Record<string, number[]> = { sequential: [10, 12, 11], threads: [25, 30, 26], processes: [19, 21, 20], reference: [13, 14, 13] };
  const runs: Omit<MeasuredRun, 'position'>[] = [];
  for (const round of [1, 2, 3]) {
    const order = ['sequential', 'threads', 'processes', 'reference'];
    for (const name of round === 2 ? order.reverse() : order) {
      const rate = rates[name]![round - 1]!;
      runs.push(name === 'reference' ? measured('cpu', 'threads', round, rate, { workers: 1, reference: true, concurrency: 2 }) : measured('cpu', name as StrategyName, round, rate));
    }
  }
  runs.push(measured('io', 'async', 1, 300, { rounds: 1 }), measured('io', 'threads', 1, 290, { rounds: 1 }));
  return runs.map((run, index) => ({ ...run, position: index + 1 }));
}

function constructedReport(): CompareReport {
  const machine = {
    cpuModel: 'constructed',
    cpus: CORES,
    availableParallelism: CORES,
    totalMemoryBytes: 8 * 1024 ** 3,
    nodeVersion: process.version,
    v8Version: process.versions.v8,
    platform: 'linux',
    release: 'test',
    arch: 'x64',
    uvThreadpoolSize: 4,
    loadAverageAtStart: [0.1, 0.1, 0.1],
  };
  const { cpu, io } = summarizeRounds(constructedRuns(), { ioTasksPerWorker: 128, cores: CORES, memoryBudgetBytes: 16 * 2 ** 30 });
  const memory = { budgetMb: 1024, units: [] };
  return CompareReportSchema.parse({
    schemaVersion: 3,
    generator: { name: 'concurrency-lab', version: '0.0.0' },
    startedAt: new Date(0).toISOString(),
    elapsedSeconds: 60,
    estimatedSeconds: 60,
    machine,
    parameters: {
      ...{ durationMs: 4000, warmupMs: 1000, rounds: 3, ioRounds: 1, scenarios: ['matrix', 'http'], strategies: ['sequential', 'threads', 'processes'] },
      ...{ workers: 2, ioTasksPerWorker: 128, referenceWorkers: 1, cpuConcurrency: 4, ioConcurrency: [16], sizes: { matrix: 200, http: 1024 } },
      ...{ memoryBudgetMb: 1024, upstreamDelayMs: COMPARE_DEFAULTS.upstreamDelayMs },
    },
    cpu,
    io,
    skipped: [],
    memory,
    recommendations: compareRecommendations([...cpu, ...io], CORES),
    findings: compareFindings({ machine, cpu, io, memory, upstreamDelayMs: 50 }),
    warnings: speedUpWarnings({ cpu, machine }),
  });
}

describe('compare rounds: medians, spread, speed-up, efficiency and the flag above the cores', () => {
  const report = constructedReport();
  const cell = (strategy: string, reference = false) => report.cpu.find((c) => c.strategy === strategy && c.reference === reference)!;

  it('keeps one cell per strategy with the median and min–max of every figure, and every round raw', () => {
    assert.deepEqual(report.cpu.map((c) => `${c.strategy}×${c.workers}`), ['sequential×2', 'threads×2', 'processes×2', 'threads×1']);
    const threads = cell('threads');
    assert.deepEqual(threads.jobsPerSecond, { median: 26, min: 25, max: 30 });
    assert.deepEqual(threads.eventLoopDelayP99Ms, { median: 12, min: 11, max: 13 });
    assert.deepEqual(threads.runs.map((run) => [run.round, run.jobsPerSecond]), [[1, 25], [2, 30], [3, 26]]);
    // Round 2 ran backwards (reference, processes, threads, sequential): positions 5..8.
    assert.deepEqual(threads.runs.map((run) => run.position), [2, 7, 10]);
    assert.equal(threads.jobs, 100 + 120 + 104);
  });

  it('takes speed-up and efficiency within each round, then their median', () => {
    const threads = cell('threads');
    // 25/10, 30/12, 26/11 and 25/(2×13), 30/(2×14), 26/(2×13).
    assert.deepEqual(threads.runs.map((run) => run.speedUpOverSequential), [2.5, 2.5, 26 / 11]);
    assert.equal(threads.speedUpOverSequential!.median, 2.5);
    assert.deepEqual(threads.runs.map((run) => run.efficiency), [25 / 26, 30 / 28, 1]);
    assert.equal(threads.efficiency!.median, 1);
    assert.equal(cell('threads', true).efficiency!.median, 1, 'the reference against itself');
    assert.equal(cell('sequential').efficiency, null, 'no efficiency on the main thread');
    assert.equal(cell('sequential').speedUpOverSequential!.median, 1);
  });

  it('flags a median speed-up above the cores in the cell, the table, the warnings and the finding, and nothing else', () => {
    assert.deepEqual(speedUpsAboveCores(report).map((flag) => `${flag.strategy}×${flag.workers} over ${flag.basis}: ${flag.speedUp}`), ['threads×2 over sequential: 2.5']);
    assert.deepEqual(report.cpu.map((c) => c.speedUpAboveCores), [false, true, false, false]);
    const rows = cpuTable(report).rows;
    const speedUp = cpuTable(report).headers.indexOf('speed-up');
    assert.equal(rows[1]![speedUp], '2.50x (2.36–2.50) !');
    assert.equal(rows[2]![speedUp], '1.82x (1.75–1.90)');
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]!, /threads on matrix measured 2\.50× sequential's throughput on 2 cores: more than the cores can give, so this is a measurement problem/);
    assert.match(report.findings.find((f) => f.id === 'threads-parallel')!.node, /2\.50 \(2\.36–2\.50\)× sequential's throughput, parallel efficiency 1\.00 \(0\.96–1\.07\) against one worker \(a speed-up above the cores: a measurement problem/);
    const markdown = renderReportMarkdown(report);
    assert.match(markdown, /> \*\*Warning:\*\* threads on matrix measured 2\.50×/);
    assert.match(markdown, /! marks a speed-up above the machine's 2 cores/);
    assert.match(markdown, /\| matrix \| threads \(1 worker\) \| 3 \| 13\.0 \(13\.0–14\.0\) \|/);
  });

  it('also flags a speed-up over one worker above the cores (efficiency × workers)', () => {
    const threads = cell('threads');
    const flags = speedUpsAboveCores({ machine: report.machine, cpu: [{ ...threads, speedUpOverSequential: null, efficiency: { median: 1.2, min: 1.1, max: 1.3 } }] });
    assert.deepEqual(flags.map((flag) => [flag.basis, flag.speedUp]), [['one worker', 2.4]]);
    assert.deepEqual(speedUpsAboveCores({ machine: { ...report.machine, availableParallelism: 4 }, cpu: report.cpu }), [], 'within 4 cores nothing is flagged');
  });

  it('shows tasks per worker for pools in the I/O table', () => {
    const table = ioTable(report);
    const column = table.headers.indexOf('tasks/worker');
    assert.deepEqual(table.rows.map((row) => [row[0], row[column]]), [['async', '-'], ['threads', '128']]);
    assert.deepEqual(report.cpu.map((c) => c.tasksPerWorker), [null, 1, 1, 1]);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { interleaveRounds } from '../src/report/interleave-rounds.ts';
import { type Spread, spreadOf } from '../src/report/spread.ts';
import { CLI, type LabDaemon, NODE } from '../test/support/lab-daemon.ts';
import { childPidsOf } from '../test/support/child-pids.ts';
import { scrapeMetric } from '../test/support/scrape-metric.ts';
import { startProcess } from '../test/support/started-process.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { ApiLoad } from './api-load.ts';
import { atLeast, atMost, type Benchmark, formatNumber, type Measurement } from './benchmark.ts';
import { type OtlpSink, startOtlpSink } from './otlp-sink.ts';

const SCENARIOS = [
  { scenario: 'matrix', kind: 'cpu', size: 200 },
  { scenario: 'http', kind: 'io', size: 1024 },
] as const;
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;
type Scenario = (typeof SCENARIOS)[number];
type StrategyName = (typeof STRATEGIES)[number];

/** Issue 18's targets: traced ÷ untraced per cell, and the spread between strategies per scenario. */
const MIN_RATIO = { cpu: 0.95, io: 0.92 } as const;
const MAX_SPREAD = 0.03;

/**
 * The daemons: traced (always_on, every span exported over OTLP/HTTP protobuf to a sink) and
 * untraced (OTEL_SDK_DISABLED=true); metrics are on in both, so only tracing differs. With
 * LAB_BENCH_OVERHEAD_BASELINE (another checkout's src/cli/main.ts) a third daemon runs that
 * checkout traced alike: traced ÷ baseline measures a change to the tracing itself.
 */
type Variant = 'traced' | 'untraced' | 'baseline';

/** The telemetry settings each daemon ran with, stated in the results. */
function tracingEnv(variant: Variant, sink: OtlpSink): Record<string, string> {
  if (variant === 'untraced') return { OTEL_SDK_DISABLED: 'true' };
  return { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
}

interface Cell {
  readonly scenario: Scenario;
  readonly strategy: StrategyName;
  /** In flight: the driver's (cpu 2 × workers, io 64), but sequential http at 2 (its throughput is 1 ÷ delay at any depth). */
  readonly concurrency: number;
}

interface Measured {
  readonly cell: Cell;
  readonly variant: Variant;
}

async function startDaemon(cli: string, variant: Variant, workers: number, sink: OtlpSink): Promise<LabDaemon> {
  const started = await startProcess(NODE, [cli, 'daemon'], {
    env: {
      ...process.env,
      LAB_PORT: '0',
      LAB_DRIVER: 'off',
      LAB_STRATEGIES: STRATEGIES.join(','),
      LAB_WORKERS: String(workers),
      LAB_UPSTREAM_DELAY_MS: '50',
      LAB_UPSTREAM_JITTER_MS: '0',
      LAB_QUEUE_LIMIT: '1000',
      ...tracingEnv(variant, sink),
    },
    readyLine: /listening on (http:\/\/\S+)/,
  });
  const daemon = Object.assign(started, { url: started.ready![1]! });
  try {
    await waitFor(async () => (await fetch(`${daemon.url}/readyz`)).status === 200, { description: `the ${variant} daemon to be ready`, timeoutMs: 60_000 });
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** user + system CPU seconds of one process, all its threads (/proc/PID/stat); 0 once it is gone. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a daemon: its threads and its pool's child processes, not the upstream it
 * started (whose own tracing is not the daemon's cost). On a shared machine CPU per job moves
 * far less with the neighbours' load than throughput does, so it is the steadier figure.
 */
function daemonCpuSeconds(pid: number): number {
  let seconds = processCpuSeconds(pid);
  for (const child of childPidsOf(pid)) {
    let command = '';
    try {
      command = readFileSync(`/proc/${child}/cmdline`, 'utf8');
    } catch {}
    if (!command.includes('upstream')) seconds += processCpuSeconds(child);
  }
  return seconds;
}

const range = (spread: Spread): string => `${formatNumber(spread.min ?? Number.NaN)}–${formatNumber(spread.max ?? Number.NaN)}`;

/**
 * Issue 18: the observer effect per cell. Every scenario × strategy on a traced and an untraced
 * daemon (API only, idle side by side), each (cell, daemon) once per round in one interleaved
 * schedule (A B C …, … C B A), so drift on a shared machine hits every cell alike; each
 * measurement is the daemon's own lab_jobs_total over a closed loop through the API. Per cell:
 * the median and range of traced ÷ untraced over the rounds; per scenario: the spread between
 * strategies (largest minus smallest median ratio), the bias a reader of the comparison suffers.
 */
export const overheadBench: Benchmark = {
  name: 'overhead',
  description: `overhead: traced (always_on, OTLP to a sink) ÷ untraced (OTEL_SDK_DISABLED=true) per scenario × strategy, matrix and http (≥ ${MIN_RATIO.cpu} cpu, ≥ ${MIN_RATIO.io} http; spread between strategies ≤ ${MAX_SPREAD})`,
  async run(context) {
    const workers = context.cores;
    const rounds = context.quick ? 2 : 5;
    const durationMs = context.quick ? 1_000 : 3_000;
    const baselineCli = process.env.LAB_BENCH_OVERHEAD_BASELINE?.trim() || undefined;
    if (baselineCli !== undefined && !existsSync(baselineCli)) throw new Error(`LAB_BENCH_OVERHEAD_BASELINE=${baselineCli}: no such file`);
    const variants: Variant[] = baselineCli === undefined ? ['traced', 'untraced'] : ['traced', 'untraced', 'baseline'];
    const cells: Cell[] = SCENARIOS.flatMap((scenario) =>
      STRATEGIES.map((strategy) => ({ scenario, strategy, concurrency: scenario.kind === 'cpu' ? 2 * workers : strategy === 'sequential' ? 2 : 64 })),
    );
    const sink = await startOtlpSink();
    const daemons: Partial<Record<Variant, LabDaemon>> = {};
    const clients: Partial<Record<Variant, ApiLoad>> = {};
    // Fresh daemons every round: a pure-JS kernel's speed differs between processes on this
    // machine (matrix on sequential: 19–26 ms of CPU per job in fresh processes), and with the
    // same two daemons for all rounds that difference landed in every round's ratio alike
    // (sequential's 0.911 quiet, where the same spans in one process cost about 3 %).
    const stopAll = async (): Promise<void> => {
      await Promise.allSettled(Object.values(clients).map((client) => client.close()));
      await Promise.allSettled(Object.values(daemons).map((daemon) => daemon.stop()));
    };
    const startAll = async (): Promise<void> => {
      for (const variant of variants) {
        daemons[variant] = await startDaemon(variant === 'baseline' ? baselineCli! : CLI, variant, workers, sink);
        clients[variant] = new ApiLoad(daemons[variant].url, 64);
      }
    };
    try {
      await startAll();
      const settings = Object.fromEntries(variants.map((variant) => [variant, { ...tracingEnv(variant, sink), ...(variant === 'baseline' ? { cli: baselineCli } : {}) }]));
      context.log(`overhead: telemetry settings ${JSON.stringify(settings)}`);
      const run = ({ cell, variant }: Measured, ms: number): Promise<number> =>
        clients[variant]!.run({ scenario: cell.scenario.scenario, strategy: cell.strategy, size: cell.scenario.size, concurrency: cell.concurrency, durationMs: ms });
      const schedule = interleaveRounds(
        cells.flatMap((cell) => variants.map((variant) => ({ cell, variant }))),
        rounds,
      );
      context.log(`overhead: ${cells.length} cells × ${variants.length} daemons (fresh ones every round), ${rounds} rounds × ${durationMs} ms each (${Math.round((schedule.length * durationMs) / 1000)} s)`);
      // Unmeasured, in each round's fresh daemons: JIT, first-use caches and the pools' first jobs.
      const warmUp = async (): Promise<void> => {
        for (const { cell: measured } of schedule.filter(({ round }) => round === 1)) await run(measured, 300);
      };
      await warmUp();
      const perSecond = new Map<Measured, number[]>();
      const cpuMsPerJob = new Map<Measured, number[]>();
      const exportsBefore = sink.received().requests;
      for (const [index, { cell: measured, round }] of schedule.entries()) {
        if (index > 0 && schedule[index - 1]!.round !== round) {
          await stopAll();
          await startAll();
          await warmUp();
        }
        const daemon = daemons[measured.variant]!;
        const labels = { scenario: measured.cell.scenario.scenario, strategy: measured.cell.strategy, outcome: 'ok' };
        const before = await scrapeMetric(daemon.url, 'lab_jobs_total', labels);
        const cpuBefore = daemonCpuSeconds(daemon.pid);
        const startedAt = performance.now();
        const answered = await run(measured, durationMs);
        const seconds = (performance.now() - startedAt) / 1000;
        const cpuSeconds = daemonCpuSeconds(daemon.pid) - cpuBefore;
        const counted = (await scrapeMetric(daemon.url, 'lab_jobs_total', labels)) - before;
        cpuMsPerJob.set(measured, [...(cpuMsPerJob.get(measured) ?? []), (1000 * cpuSeconds) / counted]);
        if (counted < answered) throw new Error(`the ${measured.variant} daemon counted ${counted} ok jobs but answered ${answered}`);
        perSecond.set(measured, [...(perSecond.get(measured) ?? []), counted / seconds]);
      }
      if (sink.received().requests === exportsBefore) throw new Error('the traced daemon exported no spans: tracing is not on');
      const figuresOf =
        (table: Map<Measured, number[]>) =>
        (cell: Cell, variant: Variant): number[] => {
          for (const [measured, values] of table) if (measured.cell === cell && measured.variant === variant) return values;
          return [];
        };
      const figures = figuresOf(perSecond);
      const cpu = figuresOf(cpuMsPerJob);
      const measurements: Measurement[] = [];
      for (const scenario of SCENARIOS) {
        const medians: number[] = [];
        for (const cell of cells.filter((candidate) => candidate.scenario === scenario)) {
          const traced = figures(cell, 'traced');
          const untraced = figures(cell, 'untraced');
          const ratio = spreadOf(traced.map((value, round) => value / untraced[round]!));
          medians.push(ratio.median ?? Number.NaN);
          measurements.push({
            name: `${scenario.scenario} ${cell.strategy} traced ÷ untraced (rounds ${range(ratio)})`,
            value: ratio.median ?? Number.NaN,
            unit: '×',
            target: atLeast(ratio.median ?? Number.NaN, MIN_RATIO[scenario.kind], `${scenario.kind} cell`),
            detail: { concurrency: cell.concurrency, ratio, jobsPerSecond: { traced: spreadOf(traced).median, untraced: spreadOf(untraced).median }, perRound: { traced, untraced }, settings },
          });
          const cpuRatio = spreadOf(cpu(cell, 'traced').map((value, round) => value / cpu(cell, 'untraced')[round]!));
          measurements.push({
            name: `${scenario.scenario} ${cell.strategy} CPU per job traced ÷ untraced (rounds ${range(cpuRatio)})`,
            value: cpuRatio.median ?? Number.NaN,
            unit: '×',
            detail: { ratio: cpuRatio, cpuMsPerJob: { traced: spreadOf(cpu(cell, 'traced')).median, untraced: spreadOf(cpu(cell, 'untraced')).median }, perRound: { traced: cpu(cell, 'traced'), untraced: cpu(cell, 'untraced') } },
          });
          if (baselineCli !== undefined) {
            const baseline = spreadOf(traced.map((value, round) => value / figures(cell, 'baseline')[round]!));
            measurements.push({ name: `${scenario.scenario} ${cell.strategy} traced ÷ baseline traced (rounds ${range(baseline)})`, value: baseline.median ?? Number.NaN, unit: '×', detail: { ratio: baseline, perRound: figures(cell, 'baseline') } });
            const baselineCpu = spreadOf(cpu(cell, 'traced').map((value, round) => value / cpu(cell, 'baseline')[round]!));
            measurements.push({ name: `${scenario.scenario} ${cell.strategy} CPU per job traced ÷ baseline traced (rounds ${range(baselineCpu)})`, value: baselineCpu.median ?? Number.NaN, unit: '×', detail: { ratio: baselineCpu, perRound: cpu(cell, 'baseline') } });
          }
        }
        const spread = Math.max(...medians) - Math.min(...medians);
        measurements.push({ name: `${scenario.scenario} spread between strategies (largest − smallest ratio)`, value: spread, unit: '', target: atMost(spread, MAX_SPREAD, 'bias between strategies') });
      }
      const { requests, bytes } = sink.received();
      context.log(`overhead: the traced daemon(s) sent ${requests} OTLP exports, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
      return measurements;
    } finally {
      await stopAll();
      await sink.close();
    }
  },
};

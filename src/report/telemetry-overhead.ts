import { z } from 'zod';
import type { LoadResult } from '../measurement/closed-loop.ts';
import { STRATEGY_NAMES } from '../strategies/strategy.ts';
import type { PlannedRun } from './compare-plan.ts';
import { formatSpread, SpreadSchema, spreadOf } from './spread.ts';

/** How a compare ran its cells with respect to tracing (--telemetry). */
export const TELEMETRY_MODES = ['off', 'on', 'both'] as const;
export type TelemetryMode = (typeof TELEMETRY_MODES)[number];

/** The telemetry one side of a compare ran with, as report.json states it. */
export const TelemetryStateSchema = z
  .object({
    traced: z.boolean().describe('false: OTEL_SDK_DISABLED=true in the compare and its workers (the default); true: --traced, jobs traced as the daemon traces them.'),
    settings: z.record(z.string(), z.string()).describe('The OTEL_* variables the run had.'),
    description: z.string().describe('Where spans went, in words.'),
  })
  .strict();
export type TelemetryState = z.infer<typeof TelemetryStateSchema>;

const count = z.number().int().min(0);

const TracedRoundSchema = z
  .object({
    round: count,
    untracedJobsPerSecond: z.number().min(0),
    tracedJobsPerSecond: z.number().min(0),
    untracedCpuMsPerJob: z.number().nullable().describe('CPU of the process tree per successful job, in ms.'),
    tracedCpuMsPerJob: z.number().nullable(),
    untracedRunMsMean: z.number().nullable().describe('Mean time the scenario itself ran per job, measured where it ran (no span, queue or dispatch in it).'),
    tracedRunMsMean: z.number().nullable(),
    untracedJobs: count.describe('Jobs settled in the untraced round.'),
    tracedJobs: count.describe('Jobs settled in the traced round: each made a job span.'),
    tracedErrors: z.record(z.string(), count),
    order: z.enum(['untraced first', 'traced first']).describe('Which of the pair ran first in this round (alternating, so drift falls on both sides).'),
  })
  .strict();

export const TelemetryOverheadCellSchema = z
  .object({
    scenario: z.string(),
    strategy: z.enum(STRATEGY_NAMES),
    size: count,
    concurrency: count,
    workers: count,
    rounds: count,
    untracedJobsPerSecond: SpreadSchema.describe('The same rounds as the cell in cpu/io: what a plain untraced compare measures.'),
    tracedJobsPerSecond: SpreadSchema,
    ratio: SpreadSchema.describe('traced ÷ untraced jobs/s, taken within each round.'),
    cpuPerJobRatio: SpreadSchema.describe('traced ÷ untraced CPU per job, taken within each round (steadier than throughput on a busy machine).'),
    runTimeRatio: SpreadSchema.describe("traced ÷ untraced mean run time of the scenario itself, within each round: above 1 the job's own code ran slower (another process, another thread), which no span accounts for."),
    runs: z.array(TracedRoundSchema),
  })
  .strict();

export const TelemetryOverheadSchema = z
  .object({
    untraced: TelemetryStateSchema.describe('The measuring process and its workers for the untraced rounds (the figures in cpu and io).'),
    traced: TelemetryStateSchema.describe('The child process of the compare that measured the traced rounds, and its workers.'),
    cells: z.array(TelemetryOverheadCellSchema),
    spread: z
      .array(z.object({ scenario: z.string(), concurrency: count, spread: z.number().nullable().describe('Largest minus smallest median ratio across the strategies.') }).strict())
      .describe('Per scenario (and http concurrency): the bias tracing puts between the strategies.'),
  })
  .strict()
  .describe('compare --telemetry both: every compared cell measured untraced and traced in the same interleaved rounds.');

export type TelemetryOverhead = z.infer<typeof TelemetryOverheadSchema>;
export type TelemetryOverheadCell = z.infer<typeof TelemetryOverheadCellSchema>;

/** What a round needs besides its plan, for the traced side. */
export interface TracedRoundOptions {
  readonly size: { workers: number; ioTasksPerWorker: number };
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly upstreamUrl: string | undefined;
}

/**
 * The traced side of --telemetry both: measures one round of a cell with the SDK on, somewhere
 * that does not share the untraced side's OpenTelemetry state (see src/cli/compare-traced-side.ts).
 */
export interface TracedSide {
  readonly telemetry: TelemetryState;
  measure(run: PlannedRun, options: TracedRoundOptions): Promise<LoadResult>;
}

/** One round of a cell measured both ways. */
export interface PairedRun {
  readonly planned: PlannedRun;
  readonly untraced: LoadResult;
  readonly traced: LoadResult;
  readonly tracedFirst: boolean;
}

function cpuMsPerJob(result: LoadResult): number | null {
  return result.ok > 0 ? (result.coresUsed * result.wallSeconds * 1000) / result.ok : null;
}

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function ratioOf(traced: number | null, untraced: number | null): number | null {
  return traced === null || untraced === null || untraced <= 0 ? null : traced / untraced;
}

function overheadCell(pairs: readonly PairedRun[]): TelemetryOverheadCell {
  const first = pairs[0]!.planned;
  const runs = pairs.map((pair) => ({
    round: pair.planned.round,
    untracedJobsPerSecond: pair.untraced.jobsPerSecond,
    tracedJobsPerSecond: pair.traced.jobsPerSecond,
    untracedCpuMsPerJob: cpuMsPerJob(pair.untraced),
    tracedCpuMsPerJob: cpuMsPerJob(pair.traced),
    untracedRunMsMean: finiteOrNull(pair.untraced.runMsMean),
    tracedRunMsMean: finiteOrNull(pair.traced.runMsMean),
    untracedJobs: pair.untraced.jobs,
    tracedJobs: pair.traced.jobs,
    tracedErrors: { ...pair.traced.errors },
    order: pair.tracedFirst ? ('traced first' as const) : ('untraced first' as const),
  }));
  return {
    scenario: first.scenario,
    strategy: first.strategy,
    size: first.size,
    concurrency: first.concurrency,
    workers: first.workers,
    rounds: runs.length,
    untracedJobsPerSecond: spreadOf(runs.map((run) => run.untracedJobsPerSecond)),
    tracedJobsPerSecond: spreadOf(runs.map((run) => run.tracedJobsPerSecond)),
    ratio: spreadOf(runs.map((run) => ratioOf(run.tracedJobsPerSecond, run.untracedJobsPerSecond))),
    cpuPerJobRatio: spreadOf(runs.map((run) => ratioOf(run.tracedCpuMsPerJob, run.untracedCpuMsPerJob))),
    runTimeRatio: spreadOf(runs.map((run) => ratioOf(run.tracedRunMsMean, run.untracedRunMsMean))),
    runs: runs.toSorted((a, b) => a.round - b.round),
  };
}

function spreadOfMedians(cells: readonly TelemetryOverheadCell[]): number | null {
  const medians = cells.map((cell) => cell.ratio.median).filter((value): value is number => value !== null);
  return medians.length < 2 ? null : Math.max(...medians) - Math.min(...medians);
}

/** The overhead section: per cell (in the order of its first round) both figures and traced ÷ untraced, and the spread per scenario. */
export function summarizeTelemetryOverhead(pairs: readonly PairedRun[], states: { untraced: TelemetryState; traced: TelemetryState }): TelemetryOverhead {
  const groups = Map.groupBy(pairs, ({ planned }) => `${planned.scenario}/${planned.strategy}/${planned.workers}/${planned.concurrency}`);
  const cells = [...groups.values()].map(overheadCell);
  const scenarios = Map.groupBy(cells, (cell) => `${cell.scenario}/${cell.concurrency}`);
  return {
    ...states,
    cells,
    spread: [...scenarios.values()].map((group) => ({ scenario: group[0]!.scenario, concurrency: group[0]!.concurrency, spread: spreadOfMedians(group) })),
  };
}

/** The table the terminal and report.md print for --telemetry both. */
export function telemetryOverheadTable(overhead: TelemetryOverhead): { headers: string[]; rows: string[][] } {
  const spreads = new Map(overhead.spread.map((entry) => [`${entry.scenario}/${entry.concurrency}`, entry.spread]));
  const rows: string[][] = [];
  overhead.cells.forEach((cell, index) => {
    rows.push([
      cell.scenario,
      cell.strategy,
      String(cell.concurrency),
      String(cell.rounds),
      formatSpread(cell.untracedJobsPerSecond, 1, cell.rounds),
      formatSpread(cell.tracedJobsPerSecond, 1, cell.rounds),
      formatSpread(cell.ratio, 3, cell.rounds),
      formatSpread(cell.cpuPerJobRatio, 2, cell.rounds),
      formatSpread(cell.runTimeRatio, 2, cell.rounds),
    ]);
    const next = overhead.cells[index + 1];
    const key = `${cell.scenario}/${cell.concurrency}`;
    if (next === undefined || `${next.scenario}/${next.concurrency}` !== key) {
      const spread = spreads.get(key);
      if (spread !== null && spread !== undefined) rows.push([cell.scenario, 'spread between strategies', String(cell.concurrency), '', '', '', spread.toFixed(3), '', '']);
    }
  });
  return { headers: ['scenario', 'strategy', 'in flight', 'rounds', 'untraced jobs/s', 'traced jobs/s', 'traced ÷ untraced', 'CPU per job traced ÷ untraced', 'run time traced ÷ untraced'], rows };
}

/** One line stating both sides' settings. */
export function telemetryOverheadSettings(overhead: TelemetryOverhead): string {
  const settings = (state: TelemetryState): string => Object.entries(state.settings).map(([name, value]) => `${name}=${value}`).join(', ');
  return (
    `Each cell measured untraced (this process and its workers: ${settings(overhead.untraced)}; ${overhead.untraced.description}) and traced ` +
    `(a child process of the compare and its workers: ${settings(overhead.traced)}; ${overhead.traced.description}) in the same rounds, alternating which goes first; ratios are taken within each round.`
  );
}

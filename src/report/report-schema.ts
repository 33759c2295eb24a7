import { z } from 'zod';
import { SCENARIO_NAME_PATTERN } from '../scenarios/scenario-modules.ts';
import { STRATEGY_NAMES } from '../strategies/strategy.ts';
import { CompareFaultsSchema } from './faults-schema.ts';
import { PythonSectionSchema } from './python-schema.ts';
import { SpreadSchema } from './spread.ts';
import { TelemetryOverheadSchema, TelemetryStateSchema } from './telemetry-overhead.ts';
import { LIMITS } from './verdict-rules.ts';

/**
 * report.json, the machine-readable result of `concurrency-lab compare`. This zod schema is
 * the source of truth, so the TypeScript types and the check before writing cannot drift
 * apart; schemas/report.schema.json is generated from it for everyone who does not read
 * TypeScript, and test/report/report-schema.test.ts fails (with the command that regenerates
 * it) when the committed file no longer matches.
 */

const count = z.number().int().min(0);
/** NaN (no successful job) is written as null. */
const measured = z.number().nullable();
/** A built-in scenario or one of a scenario module (--scenario-module). */
const scenario = z.string().regex(SCENARIO_NAME_PATTERN);
const strategy = z.enum(STRATEGY_NAMES);

export const LatencySchema = z
  .object({ p50: measured, p90: measured, p99: measured, max: measured, mean: measured })
  .strict()
  .describe('Job duration percentiles in milliseconds (queue + run); null when no job succeeded.');

/** The identity of a cell, shared by its summary and each of its rounds. */
const cellFields = {
  scenario,
  strategy,
  size: count.describe("The scenario's size parameter."),
  concurrency: count.describe('Jobs kept in flight (closed loop).'),
  workers: count.describe('Pool size of this cell: the compare\'s workers, or 1 for the one-worker reference (also given for sequential and async, which have no pool).'),
  reference: z.boolean().describe('Whether this cell is the one-worker reference (threads with 1 worker) that parallel efficiency divides by.'),
};

export const RunSchema = z
  .object({
    ...cellFields,
    round: count.describe("This run's round of its cell, from 1."),
    position: count.describe('Place of this run among all the steps of the compare (Python rounds included), from 1: rounds are interleaved (A B C, C B A, …).'),
    jobs: count.describe('Jobs started and settled during the measured run.'),
    ok: count,
    errors: z.record(z.string(), count).describe('Failed jobs by error code.'),
    wallSeconds: z.number().min(0),
    jobsPerSecond: z.number().min(0).describe('Successful jobs per wall-clock second.'),
    latencyMs: LatencySchema,
    coresUsed: z.number().describe('CPU seconds of the whole process tree (main thread, other threads, pool children) per wall second.'),
    eventLoopDelayP99Ms: z.number().min(0).describe("p99 of the main thread's event-loop delay during the run, in milliseconds."),
    memoryBytes: z.number().min(0).describe("This process's RSS plus the RSS of the strategy's child processes at the end of the run."),
    queueMsMean: measured.describe('Mean time a successful job waited for a slot (and dispatch), in milliseconds.'),
    runMsMean: measured.describe('Mean time a successful job ran, measured where it ran, in milliseconds.'),
    busyJobs: z.number().min(0).describe("Jobs running at once on average: the successful jobs' run time ÷ the wall time."),
    mainThreadUtilization: z.number().min(0).describe("Share of the run the main thread's event loop was busy (0–1)."),
    gcShare: z.number().min(0).describe('Share of the run the main thread spent in garbage collection (0–1).'),
    jobThreadUtilization: z.number().min(0).describe("Share of the run the threads that ran the jobs had their event loop busy: the pool workers' mean, or the main thread for sequential and async (0–1)."),
    speedUpOverSequential: z.number().nullable().describe("jobsPerSecond ÷ the same round's sequential jobsPerSecond for the scenario (for http: at the same concurrency); null when sequential was not measured."),
    efficiency: z
      .number()
      .nullable()
      .describe("Parallel efficiency of a pool on a CPU scenario: jobsPerSecond ÷ (workers × the same round's one-worker reference jobsPerSecond); null for sequential, async, http, or without a reference."),
  })
  .strict()
  .describe('One round of one cell, as measured.');

export const VerdictSchema = z
  .object({
    limit: z.enum(LIMITS).describe('What limited the cell: the first rule of src/report/verdict-rules.ts that holds on its median figures (see the README).'),
    evidence: z.string().describe('The numbers that show it.'),
  })
  .strict();

export const RecommendationSchema = z
  .object({
    scenario,
    strategy,
    concurrency: count.describe('The concurrency at which the recommended strategy did best.'),
    jobsPerSecond: z.number().min(0),
    runnerUp: z.object({ strategy, concurrency: count, jobsPerSecond: z.number().min(0) }).strict().nullable(),
    margin: z.number().nullable().describe("The recommended strategy's jobs/s ÷ the runner-up's."),
    why: z.string().describe('One line with the numbers.'),
  })
  .strict()
  .describe('Per scenario: the strategy with the most jobs per second (each at its best concurrency), why, the runner-up and the margin.');

export const CellSchema = z
  .object({
    ...cellFields,
    tasksPerWorker: count.nullable().describe('Jobs of this kind one pool worker holds at once (1 for CPU work, --io-tasks-per-worker for I/O); null for sequential and async.'),
    rounds: count.describe('Rounds measured.'),
    jobs: count.describe('Jobs settled in all rounds.'),
    ok: count.describe('Successful jobs in all rounds.'),
    errors: z.record(z.string(), count).describe('Failed jobs in all rounds, by error code.'),
    jobsPerSecond: SpreadSchema,
    latencyMs: z.object({ p50: SpreadSchema, p90: SpreadSchema, p99: SpreadSchema, max: SpreadSchema, mean: SpreadSchema }).strict(),
    coresUsed: SpreadSchema,
    eventLoopDelayP99Ms: SpreadSchema,
    memoryBytes: SpreadSchema,
    speedUpOverSequential: SpreadSchema.nullable().describe('Across rounds, each round against its own sequential round; null when sequential was not measured.'),
    efficiency: SpreadSchema.nullable().describe('Across rounds, each round against its own one-worker reference round; null where it does not apply.'),
    speedUpAboveCores: z
      .boolean()
      .describe('Whether the median speed-up (over sequential, or over one worker: efficiency × workers) exceeds availableParallelism: impossible for the work itself, so a measurement problem.'),
    verdict: VerdictSchema,
    runs: z.array(RunSchema).describe('Every round of this cell, raw.'),
  })
  .strict()
  .describe('One scenario on one strategy at one concurrency: the median and min–max of every figure across its rounds, and the rounds themselves.');

export const SkippedRunSchema = z.object({ scenario, strategy, concurrency: count, reason: z.string() }).strict();

export const UnitMemorySchema = z
  .object({
    unit: z.enum(['child process', 'worker thread', 'in-flight async request']),
    strategy: z.enum(['processes', 'threads', 'async']),
    started: count.describe('How many units were started at once for the measurement.'),
    bytesPerUnit: z.number().min(0).describe('Memory one idle unit costs, the basis of fitInBudget: PSS for a child process where known (else its RSS); RSS growth for a worker thread; the larger of RSS and V8 heap growth for an in-flight request.'),
    rssBytesPerUnit: z.number().describe('Resident memory per unit (summed child RSS, or the RSS growth of this process).'),
    pssBytesPerUnit: z.number().nullable().describe('Proportional set size per child process (Linux), where shared pages are split among the processes sharing them.'),
    heapBytesPerUnit: z.number().nullable().describe('Growth of the main V8 heap per unit, where it applies.'),
    fitInBudget: count.describe('floor(budget ÷ bytesPerUnit).'),
    method: z.string().describe('How the number was measured.'),
  })
  .strict();

export const FindingSchema = z
  .object({
    id: z.string(),
    python: z.string().describe("The talk's claim for Python."),
    node: z.string().describe('What the measurements show for Node.js, with the numbers.'),
    holds: z.boolean().nullable().describe("Whether the measurements show the Node behaviour stated; null when the runs it needs were not part of this compare."),
  })
  .strict();

export const MachineSchema = z
  .object({
    cpuModel: z.string(),
    cpus: count.describe('os.cpus().length'),
    availableParallelism: count,
    totalMemoryBytes: count,
    nodeVersion: z.string(),
    v8Version: z.string(),
    platform: z.string(),
    release: z.string(),
    arch: z.string(),
    uvThreadpoolSize: count.describe("libuv's threadpool size (UV_THREADPOOL_SIZE, default 4): sharp's work from the main thread runs there."),
    loadAverageAtStart: z.array(z.number()).describe('1, 5 and 15 minute load averages when the compare started (0s where the OS has none).'),
  })
  .strict();

export const ParametersSchema = z
  .object({
    durationMs: count.describe('Measured time per round.'),
    warmupMs: count.describe('Unmeasured warm-up per round, on the same fresh strategy.'),
    rounds: count.describe('Rounds per CPU cell.'),
    ioRounds: count.describe('Rounds per I/O cell.'),
    scenarios: z.array(scenario),
    strategies: z.array(strategy),
    workers: count,
    ioTasksPerWorker: count,
    referenceWorkers: count.describe('Pool size of the one-worker reference.'),
    cpuConcurrency: count,
    ioConcurrency: z.array(count),
    sizes: z.record(z.string(), count),
    memoryBudgetMb: count,
    upstreamDelayMs: count,
    telemetry: TelemetryStateSchema.optional().describe('The telemetry the compare ran with (issue 18: tracing costs the strategies unequally, so a traced comparison says so).'),
  })
  .strict();

export const CompareReportSchema = z
  .object({
    schemaVersion: z.literal(3),
    generator: z.object({ name: z.literal('concurrency-lab'), version: z.string() }).strict(),
    startedAt: z.string().describe('ISO 8601 time the compare started.'),
    elapsedSeconds: z.number().min(0),
    estimatedSeconds: z.number().min(0),
    machine: MachineSchema,
    parameters: ParametersSchema,
    cpu: z.array(CellSchema).describe('CPU-bound scenarios, each strategy at 2 × workers in flight, plus the one-worker threads reference at 2 in flight.'),
    io: z.array(CellSchema).describe('The http scenario at each concurrency level.'),
    skipped: z.array(SkippedRunSchema),
    memory: z.object({ budgetMb: count, units: z.array(UnitMemorySchema) }).strict(),
    recommendations: z.array(RecommendationSchema),
    findings: z.array(FindingSchema),
    warnings: z.array(z.string()).describe('Why some figures should not be trusted as they stand: a busy machine, a speed-up above the cores.'),
    faults: CompareFaultsSchema.optional().describe('The fault preset the http cells ran under (compare --faults), with each http cell\'s error share; absent without --faults.'),
    telemetryOverhead: TelemetryOverheadSchema.optional().describe('compare --telemetry both: each compared cell untraced and traced, and traced ÷ untraced; absent otherwise.'),
    python: PythonSectionSchema.optional().describe("The talk's Python (python/reference.py) on the same inputs: present when compare ran with --python on, or auto found python3 with Pillow, requests and aiohttp."),
  })
  .strict();

export type RunRecord = z.infer<typeof RunSchema>;
export type CellRecord = z.infer<typeof CellSchema>;
export type SpreadRecord = z.infer<typeof SpreadSchema>;
export type UnitMemory = z.infer<typeof UnitMemorySchema>;
export type Finding = z.infer<typeof FindingSchema>;
export type Recommendation = z.infer<typeof RecommendationSchema>;
export type Machine = z.infer<typeof MachineSchema>;
export type CompareReport = z.infer<typeof CompareReportSchema>;

/** The JSON Schema committed as schemas/report.schema.json (draft-07, so a plain Ajv validates it). */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    title: 'concurrency-lab compare report',
    ...z.toJSONSchema(CompareReportSchema, { target: 'draft-7' }),
  };
}

import { z } from 'zod';
import { SpreadSchema } from './spread.ts';

/**
 * The optional `python` section of report.json: the talk's own Python (python/reference.py)
 * measured on the same inputs, on the same machine, in the same compare.
 */

const count = z.number().int().min(0);
const measured = z.number().nullable();

export const PYTHON_WORKLOADS = ['thumbnail', 'matrix', 'http'] as const;
export const PYTHON_MODELS = ['sequential', 'processes', 'threads', 'asyncio'] as const;

export const PythonRunSchema = z
  .object({
    workload: z.enum(PYTHON_WORKLOADS),
    model: z.enum(PYTHON_MODELS).describe('sequential; processes = multiprocessing.Pool; threads = ThreadPoolExecutor (requests for http); asyncio = aiohttp on one event loop.'),
    size: count,
    concurrency: count.describe('Jobs kept in flight (closed loop).'),
    workers: count.describe('Processes or threads running the jobs (1 for sequential and asyncio).'),
    jobs: count,
    ok: count,
    errors: z.record(z.string(), count).describe('Failed jobs by Python exception type.'),
    wallSeconds: z.number().min(0),
    jobsPerSecond: z.number().min(0),
    latencyMs: z.object({ p50: measured, p90: measured, p99: measured, max: measured, mean: measured }).strict(),
    cpuSeconds: z.number().min(0).describe('CPU seconds of the Python process (all threads) and its Pool workers during the measured run.'),
    coresUsed: z.number().min(0),
    cpuMsPerJob: measured.describe('CPU milliseconds per successful job (cpuSeconds ÷ ok): contention on a shared machine skews it far less than throughput.'),
  })
  .strict();

export const PythonRoundSchema = PythonRunSchema.extend({
  round: count.min(1).describe("This row's round, from 1."),
  position: count.min(1).describe('Place of this round among all the steps of the compare, Node and Python, from 1: shows the interleaving.'),
})
  .strict()
  .describe('One round of one Python row, as measured.');

export const PythonCellSchema = PythonRunSchema.extend({
  rounds: count.describe('Rounds measured, interleaved with the Node cells of the same scenario.'),
  spread: z.object({ jobsPerSecond: SpreadSchema, coresUsed: SpreadSchema, cpuMsPerJob: SpreadSchema }).strict(),
  runs: z.array(PythonRoundSchema),
})
  .strict()
  .describe('A Python row across its rounds: jobs, ok, errors, wallSeconds and cpuSeconds summed; jobsPerSecond, coresUsed, cpuMsPerJob and the latency percentiles are medians over the rounds.');

export const PythonUnitSchema = z
  .object({
    unit: z.enum(['process', 'thread', 'coroutine']),
    started: count,
    bytesPerUnit: z.number().min(0),
    fitInBudget: count.describe('floor(budget ÷ bytesPerUnit).'),
    method: z.string(),
  })
  .strict();

export const PythonSectionSchema = z
  .object({
    interpreter: z
      .object({ executable: z.string(), python: z.string(), pillow: z.string(), requests: z.string(), aiohttp: z.string() })
      .strict()
      .describe('The python3 that ran the rows and the versions of the modules it imported.'),
    inputs: z
      .object({
        imageSha256: z.string().nullable().describe('sha256 of the JPEG bytes the Python thumbnail rows read (the Node side reads the same file).'),
        upstreamUrl: z.string().nullable().describe('The upstream the Python http rows called: the Node rows\' own embedded upstream.'),
        upstreamRequests: count.nullable().describe("Requests the upstream answered during the Python http rows (from its upstream_responses_total)."),
      })
      .strict(),
    runs: z.array(PythonCellSchema),
    memory: z.array(PythonUnitSchema),
  })
  .strict();

export type PythonRun = z.infer<typeof PythonRunSchema>;
export type PythonRound = z.infer<typeof PythonRoundSchema>;
export type PythonCell = z.infer<typeof PythonCellSchema>;
export type PythonUnit = z.infer<typeof PythonUnitSchema>;
export type PythonSection = z.infer<typeof PythonSectionSchema>;
export type PythonInterpreter = PythonSection['interpreter'];

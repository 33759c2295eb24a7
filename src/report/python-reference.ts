import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sourceImage } from '../scenarios/source-images.ts';
import { startEmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import { PYTHON_REFERENCE_SCRIPT } from './python-interpreter.ts';
import type { PythonInterpreter, PythonRun, PythonSection, PythonUnit } from './python-schema.ts';

const run = promisify(execFile);
/** Beyond the measured and warm-up time: interpreter start, Pool start and stop. */
const RUN_SLACK_MS = 60_000;
/** How long the upstream holds each request while coroutine memory is read: far longer than connecting takes. */
const HOLD_MS = 60_000;
const MB = 1024 * 1024;

export interface PythonReferenceOptions {
  readonly interpreter: PythonInterpreter;
  /** The Node rows' scenarios; the Python rows cover thumbnail, matrix and http among them. */
  readonly scenarios: readonly string[];
  readonly sizes: Readonly<Record<string, number>>;
  readonly workers: number;
  /** Jobs in flight for the CPU workloads' Pool and ThreadPool rows (the Node side's 2 × workers). */
  readonly cpuConcurrency: number;
  readonly ioConcurrency: readonly number[];
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly memoryBudgetMb: number;
  /** Units started at once to measure memory per process / thread / coroutine. */
  readonly fitSample: number;
  /** The Node rows' upstream; required when http is among the scenarios. */
  readonly upstreamUrl: string | undefined;
  readonly onStep?: ((label: string, expectedSeconds: number) => void) | undefined;
}

interface PlannedPythonRun {
  workload: PythonRun['workload'];
  model: PythonRun['model'];
  concurrency: number;
}

/** Every Python row the compare runs, in order: the talk's three examples under the talk's models. */
export function planPythonRuns(options: Pick<PythonReferenceOptions, 'scenarios' | 'cpuConcurrency' | 'ioConcurrency'>): PlannedPythonRun[] {
  const planned: PlannedPythonRun[] = [];
  for (const workload of ['thumbnail', 'matrix'] as const) {
    if (!options.scenarios.includes(workload)) continue;
    planned.push({ workload, model: 'sequential', concurrency: 1 }, { workload, model: 'processes', concurrency: options.cpuConcurrency }, { workload, model: 'threads', concurrency: options.cpuConcurrency });
  }
  if (options.scenarios.includes('http')) {
    for (const concurrency of options.ioConcurrency) planned.push({ workload: 'http', model: 'threads', concurrency }, { workload: 'http', model: 'asyncio', concurrency });
  }
  return planned;
}

/** One Python row (python/reference.py run), the way the compare runs it; also used by bench/thumbnail-bench.ts. */
export async function runPythonRow(interpreter: PythonInterpreter, spec: Record<string, unknown> & { warmupMs: number; durationMs: number }): Promise<PythonRun & { inputs: { imageSha256?: string } }> {
  const { childPids: _pids, ...record } = await pythonJson<RawPythonRun & { childPids: number[] }>(interpreter, 'run', spec, spec.warmupMs + spec.durationMs + RUN_SLACK_MS);
  return record;
}

async function pythonJson<T>(interpreter: PythonInterpreter, command: string, spec: object, timeoutMs: number): Promise<T> {
  const { stdout } = await run(interpreter.executable, [PYTHON_REFERENCE_SCRIPT, command, JSON.stringify(spec)], { timeout: timeoutMs, maxBuffer: 16 * MB });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}

/** The upstream's own count of responses sent (its /metrics), to show the Python rows called the same upstream. */
export async function upstreamResponses(upstreamUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', upstreamUrl))).text();
  let total = 0;
  for (const match of text.matchAll(/^upstream_responses_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm)) total += Number(match[1]);
  return total;
}

interface RawPythonRun extends PythonRun {
  inputs: { imageSha256?: string; url?: string };
}

/**
 * Runs the Python rows (python/reference.py, one process per row) on the Node rows' inputs:
 * the same source JPEG bytes (written to a temporary file from the buffer the Node scenario
 * uses), the same matrix size and seeds, the same upstream. Then measures memory per unit.
 */
export async function runPythonReference(options: PythonReferenceOptions): Promise<PythonSection> {
  const planned = planPythonRuns(options);
  const dir = await mkdtemp(join(tmpdir(), 'concurrency-lab-python-'));
  const runs: PythonRun[] = [];
  let imageSha256: string | null = null;
  /** What the Python side itself hashed after reading the file: the report carries this one. */
  let pythonImageSha256: string | null = null;
  let upstreamRequests: number | null = null;
  try {
    let imagePath: string | undefined;
    if (options.scenarios.includes('thumbnail')) {
      const image = await sourceImage(options.sizes.thumbnail!);
      imagePath = join(dir, 'source.jpg');
      await writeFile(imagePath, image);
      imageSha256 = createHash('sha256').update(image).digest('hex');
    }
    const httpRuns = planned.some((row) => row.workload === 'http');
    if (httpRuns && options.upstreamUrl === undefined) throw new Error('the Python http rows need the upstream URL');
    const before = httpRuns ? await upstreamResponses(options.upstreamUrl!) : 0;
    const expectedSeconds = (options.warmupMs + options.durationMs) / 1000 + 1;
    for (const row of planned) {
      options.onStep?.(`python ${row.workload} on ${row.model}, ${row.concurrency} in flight`, expectedSeconds);
      const spec = { ...row, size: options.sizes[row.workload], workers: options.workers, warmupMs: options.warmupMs, durationMs: options.durationMs, imagePath, upstreamUrl: options.upstreamUrl };
      const { inputs, ...record } = await runPythonRow(options.interpreter, spec);
      if (row.workload === 'thumbnail') {
        if (inputs.imageSha256 !== imageSha256) throw new Error(`the Python thumbnail rows read other bytes (sha256 ${inputs.imageSha256}) than the Node side (${imageSha256})`);
        pythonImageSha256 = inputs.imageSha256;
      }
      runs.push(record);
    }
    if (httpRuns) upstreamRequests = (await upstreamResponses(options.upstreamUrl!)) - before;
    options.onStep?.('python: memory per process, thread and coroutine', 10);
    const memory = await measurePythonMemory(options);
    return { interpreter: options.interpreter, inputs: { imageSha256: pythonImageSha256, upstreamUrl: httpRuns ? options.upstreamUrl! : null, upstreamRequests }, runs, memory };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function measurePythonMemory(options: PythonReferenceOptions): Promise<PythonUnit[]> {
  const hold = await startEmbeddedUpstream({ delayMs: HOLD_MS, jitterMs: 0 });
  try {
    const { units } = await pythonJson<{ units: Omit<PythonUnit, 'fitInBudget'>[] }>(options.interpreter, 'memory', { count: options.fitSample, holdUrl: `${hold.url}/work?bytes=1` }, RUN_SLACK_MS);
    const budgetBytes = options.memoryBudgetMb * MB;
    return units.map((unit) => ({
      unit: unit.unit,
      started: unit.started,
      bytesPerUnit: unit.bytesPerUnit,
      fitInBudget: unit.bytesPerUnit > 0 ? Math.floor(budgetBytes / unit.bytesPerUnit) : 0,
      method: unit.method,
    }));
  } finally {
    await hold.stop();
  }
}

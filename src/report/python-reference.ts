import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sourceImage } from '../scenarios/source-images.ts';
import { startEmbeddedUpstream } from '../upstream/embedded-upstream.ts';
import { PYTHON_REFERENCE_SCRIPT } from './python-interpreter.ts';
import type { PlannedPythonRun } from './compare-plan.ts';
import { summarizePythonRounds } from './python-rounds.ts';
import type { PythonInterpreter, PythonRound, PythonRun, PythonSection, PythonUnit } from './python-schema.ts';

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
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly memoryBudgetMb: number;
  /** Units started at once to measure memory per process / thread / coroutine. */
  readonly fitSample: number;
  /** The Node rows' upstream; required when http is among the scenarios. */
  readonly upstreamUrl: string | undefined;
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
 * The Python rows of one compare (python/reference.py, one process per round), on the Node
 * rows' inputs: the same source JPEG bytes (written to a temporary file from the buffer the
 * Node scenario uses), the same matrix size and seeds, the same upstream. The compare runs
 * each round among its Node rounds; `finish` then measures memory per unit and summarises.
 */
export class PythonReference {
  readonly #options: PythonReferenceOptions;
  readonly #dir: string;
  readonly #imagePath: string | undefined;
  readonly #imageSha256: string | null;
  readonly #rounds: PythonRound[] = [];
  /** What the Python side itself hashed after reading the file: the report carries this one. */
  #pythonImageSha256: string | null = null;
  #upstreamRequests: number | null = null;

  private constructor(options: PythonReferenceOptions, dir: string, image: Buffer | undefined) {
    this.#options = options;
    this.#dir = dir;
    this.#imagePath = image === undefined ? undefined : join(dir, 'source.jpg');
    this.#imageSha256 = image === undefined ? null : createHash('sha256').update(image).digest('hex');
  }

  static async open(options: PythonReferenceOptions): Promise<PythonReference> {
    if (options.scenarios.includes('http') && options.upstreamUrl === undefined) throw new Error('the Python http rows need the upstream URL');
    const dir = await mkdtemp(join(tmpdir(), 'concurrency-lab-python-'));
    try {
      const image = options.scenarios.includes('thumbnail') ? await sourceImage(options.sizes.thumbnail!) : undefined;
      const reference = new PythonReference(options, dir, image);
      if (image !== undefined) await writeFile(reference.#imagePath!, image);
      return reference;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Runs one round of one row; `position` is its place among all the compare's steps. */
  async run(planned: PlannedPythonRun, position: number): Promise<void> {
    const options = this.#options;
    const http = planned.workload === 'http';
    const before = http ? await upstreamResponses(options.upstreamUrl!) : 0;
    const spec = { workload: planned.workload, model: planned.model, concurrency: planned.concurrency, size: planned.size, workers: options.workers, warmupMs: options.warmupMs, durationMs: options.durationMs, imagePath: this.#imagePath, upstreamUrl: options.upstreamUrl };
    const { inputs, ...record } = await runPythonRow(options.interpreter, spec);
    if (http) this.#upstreamRequests = (this.#upstreamRequests ?? 0) + (await upstreamResponses(options.upstreamUrl!)) - before;
    if (planned.workload === 'thumbnail') {
      if (inputs.imageSha256 !== this.#imageSha256) throw new Error(`the Python thumbnail rows read other bytes (sha256 ${inputs.imageSha256}) than the Node side (${this.#imageSha256})`);
      this.#pythonImageSha256 = inputs.imageSha256;
    }
    this.#rounds.push({ ...record, round: planned.round, position });
  }

  /** Memory per process, thread and coroutine, and the section of report.json. */
  async finish(): Promise<PythonSection> {
    const memory = await measurePythonMemory(this.#options);
    const httpRuns = this.#upstreamRequests !== null;
    return {
      interpreter: this.#options.interpreter,
      inputs: { imageSha256: this.#pythonImageSha256, upstreamUrl: httpRuns ? this.#options.upstreamUrl! : null, upstreamRequests: this.#upstreamRequests },
      runs: summarizePythonRounds(this.#rounds),
      memory,
    };
  }

  async close(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
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

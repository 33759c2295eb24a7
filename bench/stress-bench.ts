import { CLI, NODE, startLabDaemon } from '../test/support/lab-daemon.ts';
import { startProcess } from '../test/support/started-process.ts';
import { attack, latencyStats, type VegetaHit } from '../test/support/vegeta.ts';
import { ApiLoad } from './api-load.ts';
import type { Benchmark, Measurement } from './benchmark.ts';

const P99_LIMIT_MS = 50;
/** A small matrix job: the API path and the strategy's dispatch show, not only the multiply. */
const MATRIX_SIZE = 60;
/** Share of a step's requests that must come back 200 (the rest: shed, failed, or not sent in time). */
const MIN_DONE_RATIO = 0.95;
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const;

interface Ladder {
  startRate: number;
  stepRate: number;
  steps: number;
  stepSeconds: number;
  /** Pause after each step, so that what it left queued does not count in the next. */
  gapSeconds: number;
}

/** One strategy at one rate. */
interface StepResult {
  targetRate: number;
  sent: number;
  done: number;
  shed: number;
  failed: number;
  /** Latency of the 200 answers (shed answers are fast and would flatter it). */
  p50Ms: number;
  p99Ms: number;
  /** Why the step is not sustained; empty when it is. */
  reasons: string[];
}

/**
 * Issue 4 (re-measured for issue 13 with vegeta instead of k6): the highest arrival rate each
 * strategy sustains for a small matrix job through the API with p99 < 50 ms and nothing shed or
 * failed. vegeta sends a staircase of constant open-loop rates to one strategy after another
 * against a daemon with the driver off and a short queue (LAB_QUEUE_LIMIT=64), so overload shows
 * as shedding at once; a strategy's ladder stops at its first step that is not sustained.
 */
export const stressBench: Benchmark = {
  name: 'stress',
  description: `stress (vegeta rate ladder): highest sustained jobs/s per strategy, matrix ${MATRIX_SIZE}, p99 < ${P99_LIMIT_MS} ms through the API, nothing shed`,
  async run(context) {
    const ladder: Ladder = context.quick
      ? { startRate: 100, stepRate: 200, steps: 3, stepSeconds: 2, gapSeconds: 1 }
      : { startRate: 100, stepRate: 150, steps: 8, stepSeconds: 4, gapSeconds: 2 };
    const rates = Array.from({ length: ladder.steps }, (_, index) => ladder.startRate + index * ladder.stepRate);
    // The http scenario is not used; its upstream runs as its own process all the same, since the
    // daemon's embedded one has a short start-up limit for a busy machine.
    const upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0'], { readyLine: /upstream listening on http:\/\/(\S+)/ });
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_QUEUE_LIMIT: '64', LAB_WORKERS: String(context.cores), LAB_UPSTREAM_URL: `http://${upstream.ready![1]!}` }).catch(async (error: unknown) => {
      await upstream.stop();
      throw error;
    });
    try {
      // Every worker runs the job a few times first: a cold child process compiling the
      // multiply would otherwise decide its first step's p99.
      const warmUp = new ApiLoad(daemon.url, 2 * context.cores);
      try {
        for (const strategy of STRATEGIES) await warmUp.run({ scenario: 'matrix', strategy, size: MATRIX_SIZE, concurrency: 2 * context.cores, durationMs: 1_000 });
      } finally {
        await warmUp.close();
      }
      context.log(`stress: vegeta, ${ladder.steps} steps of ${ladder.stepSeconds} s from ${ladder.startRate} jobs/s by ${ladder.stepRate}, per strategy until a step breaks`);
      const measurements: Measurement[] = [];
      for (const strategy of STRATEGIES) {
        const steps: StepResult[] = [];
        for (const rate of rates) {
          const result = await attack({
            targets: [{ method: 'POST', url: `${daemon.url}/api/v1/jobs/matrix?strategy=${strategy}&size=${MATRIX_SIZE}` }],
            ratePerSecond: rate,
            durationMs: ladder.stepSeconds * 1000,
            timeoutMs: 10_000,
          });
          const step = judge(rate, ladder.stepSeconds, result.hits);
          steps.push(step);
          context.log(`  ${strategy} ${rate}/s: ${step.done} of ${step.sent} ran, ${step.shed} shed, ${step.failed} failed, p99 ${step.p99Ms.toFixed(1)} ms${step.reasons.length === 0 ? '' : ` -> ${step.reasons.join('; ')}`}`);
          await new Promise((resolve) => setTimeout(resolve, ladder.gapSeconds * 1000));
          if (step.reasons.length > 0) break;
        }
        const broken = steps.find((step) => step.reasons.length > 0);
        const sustained = steps.filter((step) => step.reasons.length === 0).at(-1);
        measurements.push({
          name: `${strategy} sustained jobs/s${broken === undefined ? ' (the top step: at least)' : sustained === undefined ? ` (none: below ${ladder.startRate})` : ''}`,
          value: sustained?.targetRate ?? 0,
          unit: 'jobs/s',
          detail: {
            p99MsAtSustainedRate: sustained?.p99Ms ?? null,
            brokeAtRate: broken?.targetRate ?? null,
            brokeBecause: broken?.reasons ?? [],
            ladderTop: rates.at(-1),
            firstStep: ladder.startRate,
            steps,
          },
        });
      }
      return measurements;
    } finally {
      await daemon.stop();
      await upstream.stop();
    }
  },
};

function judge(targetRate: number, stepSeconds: number, hits: readonly VegetaHit[]): StepResult {
  const ok = hits.filter((hit) => hit.code === 200);
  const { p50Ms, p99Ms } = latencyStats(ok);
  const shed = hits.filter((hit) => hit.code === 503).length;
  const failed = hits.length - ok.length - shed;
  const reasons: string[] = [];
  if (ok.length < MIN_DONE_RATIO * targetRate * stepSeconds) reasons.push(`done ${(ok.length / stepSeconds).toFixed(1)}/s`);
  if (ok.length > 0 && p99Ms >= P99_LIMIT_MS) reasons.push(`p99 ${p99Ms.toFixed(1)} ms`);
  if (shed > 0) reasons.push(`${shed} shed`);
  if (failed > 0) reasons.push(`${failed} failed`);
  return { targetRate, sent: hits.length, done: ok.length, shed, failed, p50Ms, p99Ms, reasons };
}

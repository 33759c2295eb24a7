import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLabDaemon } from '../test/support/lab-daemon.ts';
import { startProcess } from '../test/support/started-process.ts';
import { resolveTool } from '../test/support/tools.ts';
import { ApiLoad } from './api-load.ts';
import type { Benchmark, Measurement } from './benchmark.ts';

const STRESS_SCRIPT = fileURLToPath(new URL('../loadtests/stress.ts', import.meta.url));
const P99_LIMIT_MS = 50;
/** A small matrix job: the API path and the strategy's dispatch show, not only the multiply. */
const MATRIX_SIZE = 60;

/** The part of loadtests/stress.ts's summary JSON read here (see loadtests/lib/step-ladder.ts). */
interface StressSummary {
  knees: {
    strategy: string;
    sustainedRate: number | null;
    p99MsAtSustainedRate: number | null;
    brokeAtRate: number | null;
    brokeBecause: string[];
  }[];
}

interface Ladder {
  startRate: number;
  stepRate: number;
  steps: number;
  stepSeconds: number;
  gapSeconds: number;
}

/**
 * Issue 4: the highest arrival rate each strategy sustains for a small matrix job through the
 * API with p99 < 50 ms, nothing shed or failed: the real k6 runs loadtests/stress.ts (a
 * staircase of rates per strategy, one strategy after another) against a daemon with the
 * driver off and a short queue (LAB_QUEUE_LIMIT=64), so overload shows as shedding at once.
 */
export const stressBench: Benchmark = {
  name: 'stress',
  description: `stress (k6 loadtests/stress.ts): highest sustained jobs/s per strategy, matrix ${MATRIX_SIZE}, p99 < ${P99_LIMIT_MS} ms through the API`,
  async run(context) {
    const ladder: Ladder = context.quick
      ? { startRate: 100, stepRate: 200, steps: 3, stepSeconds: 2, gapSeconds: 1 }
      : { startRate: 100, stepRate: 150, steps: 8, stepSeconds: 4, gapSeconds: 2 };
    const strategies = ['sequential', 'async', 'threads', 'processes'];
    const k6 = resolveTool('k6');
    const dir = await mkdtemp(join(tmpdir(), 'lab-bench-stress-'));
    const summaryPath = join(dir, 'stress-summary.json');
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_QUEUE_LIMIT: '64', LAB_WORKERS: String(context.cores) });
    try {
      const variables = {
        LAB_URL: daemon.url,
        STRATEGIES: strategies.join(','),
        SCENARIO: 'matrix',
        SIZE: String(MATRIX_SIZE),
        START_RATE: String(ladder.startRate),
        STEP_RATE: String(ladder.stepRate),
        STEPS: String(ladder.steps),
        STEP_DURATION: `${ladder.stepSeconds}s`,
        GAP: `${ladder.gapSeconds}s`,
        P99_LIMIT_MS: String(P99_LIMIT_MS),
        SUMMARY_JSON: summaryPath,
      };
      // Every worker runs the job a few times first: a cold child process compiling the
      // multiply would otherwise decide its first step's p99.
      const warmUp = new ApiLoad(daemon.url, 2 * context.cores);
      try {
        for (const strategy of strategies) await warmUp.run({ scenario: 'matrix', strategy, size: MATRIX_SIZE, concurrency: 2 * context.cores, durationMs: 1_000 });
      } finally {
        await warmUp.close();
      }
      const expectedSeconds = strategies.length * (ladder.steps * ladder.stepSeconds + ladder.gapSeconds);
      context.log(`stress: k6 ${ladder.steps} steps of ${ladder.stepSeconds} s from ${ladder.startRate} jobs/s by ${ladder.stepRate} per strategy, about ${expectedSeconds} s`);
      const run = await startProcess(k6, ['run', '--quiet', '--no-color', ...Object.entries(variables).flatMap(([name, value]) => ['-e', `${name}=${value}`]), STRESS_SCRIPT], {
        env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
      });
      // A hung k6 must not hang the bench.
      const timer = setTimeout(() => void run.stop('SIGKILL'), (expectedSeconds + 60) * 1000);
      const { code } = await run.exited.finally(() => clearTimeout(timer));
      // 99: a threshold was crossed, which a stress run is there to do; the summary still counts.
      if (code !== 0 && code !== 99) throw new Error(`k6 exited with ${code}:\n${run.output().slice(-2000)}`);
      const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as StressSummary;
      const top = ladder.startRate + (ladder.steps - 1) * ladder.stepRate;
      return summary.knees.map(
        (knee): Measurement => ({
          name: `${knee.strategy} sustained jobs/s${knee.brokeAtRate === null ? ' (the top step: at least)' : knee.sustainedRate === null ? ` (none: below ${ladder.startRate})` : ''}`,
          value: knee.sustainedRate ?? 0,
          unit: 'jobs/s',
          detail: { p99MsAtSustainedRate: knee.p99MsAtSustainedRate, brokeAtRate: knee.brokeAtRate, brokeBecause: knee.brokeBecause, ladderTop: top, firstStep: ladder.startRate },
        }),
      );
    } finally {
      await daemon.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

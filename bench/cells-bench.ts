import type { StrategyName } from '../src/strategies/strategy.ts';
import { CLI, NODE, startLabDaemon } from '../test/support/lab-daemon.ts';
import { startProcess } from '../test/support/started-process.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { BenchEngine } from './bench-engine.ts';
import { atLeast, type Benchmark, type Measurement } from './benchmark.ts';
import { median } from './interleaved-rounds.ts';

/** The part of a cell in GET /api/v1/status this benchmark reads. */
interface StatusCell {
  scenario: string;
  strategy: StrategyName;
  jobsPerSecond: number;
  coresUsed: number;
  latencyMs: { p50: number | null; p99: number | null };
}

const DELAY_MS = 50;
const JITTER_MS = 10;
/** The daemon's default lanes for http (src/jobs/default-concurrency.ts). */
const HTTP_IN_FLIGHT = 64;
const MATRIX_SPEED_UP_TARGET = 1.7;
/** The daemon's http/async window must be within this share of `run http --strategy async` at the same concurrency. */
const AGREEMENT = 0.1;

/**
 * Issue 10: the default daemon's own windows (isolated cells) measure the strategies, not its
 * scheduling. A real daemon runs matrix and http under every strategy against an upstream
 * started here (50 ± 10 ms); after full cycles its per-cell windows give matrix threads and
 * processes ÷ sequential (with parallel efficiency = speed-up ÷ workers) and the http/async
 * window, which is compared with the same closed loop run in this process (`run http
 * --strategy async`, 64 in flight, same upstream) before and after the daemon.
 */
export const cellsBench: Benchmark = {
  name: 'cells',
  description: `the daemon's cell windows: matrix threads/processes ÷ sequential (target ≥ ${MATRIX_SPEED_UP_TARGET}) and http/async within ${AGREEMENT * 100}% of run --concurrency ${HTTP_IN_FLIGHT}`,
  async run(context) {
    const cycles = context.quick ? 1 : 3;
    const rotateSeconds = context.quick ? 3 : 8;
    const upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0', '--delay-ms', String(DELAY_MS), '--jitter-ms', String(JITTER_MS)], { readyLine: /upstream listening on (http:\/\/\S+)/ });
    const upstreamUrl = upstream.ready![1]!;
    const runHttpAsync = async (): Promise<number> => {
      const engine = await BenchEngine.start({ strategies: ['async'], workers: context.cores, upstreamUrl });
      try {
        await engine.load({ scenario: 'http', strategy: 'async', size: 1024, concurrency: HTTP_IN_FLIGHT, jobs: 2 * HTTP_IN_FLIGHT });
        return (await engine.load({ scenario: 'http', strategy: 'async', size: 1024, concurrency: HTTP_IN_FLIGHT, durationMs: rotateSeconds * 1000 })).jobsPerSecond;
      } finally {
        await engine.close();
      }
    };
    try {
      const before = await runHttpAsync();
      context.log(`cells: a daemon with matrix and http × 4 strategies, ${rotateSeconds} s windows, ${cycles} cycle(s) (about ${Math.round((cycles * 8 * (rotateSeconds + 2)) / 60)} min)`);
      const daemon = await startLabDaemon({ LAB_SCENARIOS: 'matrix,http', LAB_ROTATE_SECONDS: String(rotateSeconds), LAB_UPSTREAM_URL: upstreamUrl, LAB_WORKERS: String(context.cores) });
      const windows: StatusCell[][] = [];
      try {
        let seen = 0;
        await waitFor(
          async () => {
            const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { rotation: { cycle: { completed: number } }; cells: StatusCell[] };
            if (status.rotation.cycle.completed > seen) {
              seen = status.rotation.cycle.completed;
              windows.push(status.cells);
            }
            return seen >= cycles;
          },
          { description: `${cycles} full cycles`, timeoutMs: cycles * 8 * (rotateSeconds + 8) * 1000, intervalMs: 500 },
        );
      } finally {
        await daemon.stop();
      }
      const after = await runHttpAsync();
      const figure = (scenario: string, strategy: StrategyName, pick: (cell: StatusCell) => number): number =>
        median(windows.map((cells) => pick(cells.find((cell) => cell.scenario === scenario && cell.strategy === strategy)!)));
      const measurements: Measurement[] = [];
      const sequential = figure('matrix', 'sequential', (cell) => cell.jobsPerSecond);
      for (const strategy of ['threads', 'processes'] as const) {
        const speedUp = figure('matrix', strategy, (cell) => cell.jobsPerSecond) / sequential;
        measurements.push({
          name: `daemon window: matrix ${strategy} ÷ sequential (efficiency ${(speedUp / context.cores).toFixed(2)})`,
          value: speedUp,
          unit: '×',
          target: atLeast(speedUp, MATRIX_SPEED_UP_TARGET, `on ${context.cores} cores`),
          detail: { jobsPerSecond: figure('matrix', strategy, (cell) => cell.jobsPerSecond), sequentialJobsPerSecond: sequential, coresUsed: figure('matrix', strategy, (cell) => cell.coresUsed), efficiency: speedUp / context.cores },
        });
      }
      const runRate = median([before, after]);
      const windowRate = figure('http', 'async', (cell) => cell.jobsPerSecond);
      const agreement = windowRate / runRate;
      measurements.push({
        name: `daemon window http/async ÷ run http --strategy async (C=${HTTP_IN_FLIGHT})`,
        value: agreement,
        unit: '×',
        target: { description: `within ${AGREEMENT * 100}% (${1 - AGREEMENT} – ${1 + AGREEMENT})`, met: Math.abs(agreement - 1) <= AGREEMENT },
        detail: { windowJobsPerSecond: windowRate, runJobsPerSecond: runRate, runBefore: before, runAfter: after },
      });
      for (const strategy of ['sequential', 'async', 'threads', 'processes'] as const) {
        measurements.push({ name: `daemon window http/${strategy} jobs/s (C=${HTTP_IN_FLIGHT}, Little's bound ${Math.round((strategy === 'sequential' ? 1 : HTTP_IN_FLIGHT) * (1000 / DELAY_MS))})`, value: figure('http', strategy, (cell) => cell.jobsPerSecond), unit: 'jobs/s' });
      }
      return measurements;
    } finally {
      await upstream.stop();
    }
  },
};

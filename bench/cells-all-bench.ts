import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV_SCHEMA } from '../src/config/env-schema.ts';
import { IO_CONCURRENCY } from '../src/jobs/default-concurrency.ts';
import { type CompareReport, CompareReportSchema } from '../src/report/report-schema.ts';
import type { StrategyName } from '../src/strategies/strategy.ts';
import { CLI, NODE, startLabDaemon } from '../test/support/lab-daemon.ts';
import { startProcess } from '../test/support/started-process.ts';
import { waitFor } from '../test/support/wait-for.ts';
import type { Benchmark, Measurement } from './benchmark.ts';

/** The part of a cell in GET /api/v1/status this benchmark reads. */
interface StatusCell {
  scenario: string;
  strategy: StrategyName;
  jobsPerSecond: number;
}

const SCENARIOS = ['thumbnail', 'matrix', 'array', 'http'] as const;
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'] as const satisfies readonly StrategyName[];
const DELAY_MS = 50;
/**
 * How far outside compare's min–max a daemon window may fall and still count as agreeing: the
 * window is one sample taken minutes apart from compare's rounds on a shared machine, so an
 * edge of the spread is widened by this share of itself.
 */
const TOLERANCE = 0.1;

/**
 * Issue 10's Done-when: every cell of the default daemon (thumbnail, matrix, array, http × the
 * four strategies, isolated) agrees with `compare` within the spread `compare --rounds`
 * reports. One `compare` (3 interleaved rounds per cell, http at the daemon's 64 in flight,
 * its embedded upstream at 50 ms; sequential http at 1 in flight, the only level compare
 * measures it at) and then one full daemon cycle against an upstream at the same 50 ms; per
 * cell the daemon window's jobs/s against compare's median and min–max.
 */
export const cellsAllBench: Benchmark = {
  name: 'cells-all',
  description: `every daemon cell (${SCENARIOS.length} scenarios × ${STRATEGIES.length} strategies) ÷ compare's median, inside compare's min–max (± ${TOLERANCE * 100} %)`,
  async run(context) {
    const rounds = context.quick ? 2 : 3;
    const duration = context.quick ? '1s' : '1.5s';
    // npm start's own window unless quick: the Done-when is about the table the default daemon prints.
    const rotateSeconds = context.quick ? 3 : ENV_SCHEMA.LAB_ROTATE_SECONDS.default;
    const out = await mkdtemp(join(tmpdir(), 'lab-cells-all-'));
    const workers = String(context.cores);
    try {
      context.log(`cells-all: compare (${rounds} rounds × ${duration} per cell), then one daemon cycle of ${SCENARIOS.length * STRATEGIES.length} cells × ${rotateSeconds} s`);
      const runCompare = async (args: readonly string[], outDir: string): Promise<CompareReport> => {
        const compare = await startProcess(NODE, [
          CLI, 'compare', ...args, '--rounds', String(rounds), '--io-rounds', String(rounds), '--duration', duration, '--warmup', '0.5s',
          '--workers', workers, '--delay-ms', String(DELAY_MS), '--python', 'off', '--fit-sample', '2', '--out', outDir,
        ]);
        const timer = setTimeout(() => void compare.stop('SIGKILL'), 5 * 60_000);
        const { code } = await compare.exited.finally(() => clearTimeout(timer));
        if (code !== 0) throw new Error(`compare exited with ${code}:\n${compare.output()}`);
        const report = CompareReportSchema.parse(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8')));
        context.log(`cells-all: compare ${args.join(' ')}: ${report.elapsedSeconds.toFixed(0)} s`);
        return report;
      };
      const report = await runCompare(['--scenarios', SCENARIOS.join(','), '--strategies', STRATEGIES.join(','), '--concurrency', String(IO_CONCURRENCY)], out);
      // compare measures sequential http only at its lowest level (one slot: more in flight only
      // queue, at the same 1 ÷ delay); the daemon's sequential http lanes hold 64 on that one slot.
      const sequentialHttp = await runCompare(['--scenarios', 'http', '--strategies', 'sequential', '--concurrency', '1'], join(out, 'sequential-http'));
      const compareCells = [...report.cpu, ...report.io, ...sequentialHttp.io];

      const upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0', '--delay-ms', String(DELAY_MS), '--jitter-ms', '0'], { readyLine: /upstream listening on (http:\/\/\S+)/ });
      let cells: StatusCell[] = [];
      try {
        const daemon = await startLabDaemon({ LAB_ROTATE_SECONDS: String(rotateSeconds), LAB_UPSTREAM_URL: upstream.ready![1]!, LAB_WORKERS: workers, LAB_MIX: 'isolated' });
        try {
          await waitFor(
            async () => {
              const status = (await (await fetch(`${daemon.url}/api/v1/status`)).json()) as { rotation: { cycle: { completed: number } }; cells: StatusCell[] };
              cells = status.cells;
              return status.rotation.cycle.completed >= 1;
            },
            { description: 'one full cycle', timeoutMs: SCENARIOS.length * STRATEGIES.length * (rotateSeconds + 8) * 1000, intervalMs: 500 },
          );
        } finally {
          context.log(`cells-all: the daemon's cycle done`);
          await daemon.stop();
        }
      } finally {
        await upstream.stop();
      }

      const measurements: Measurement[] = [];
      for (const scenario of SCENARIOS) {
        for (const strategy of STRATEGIES) {
          const window = cells.find((cell) => cell.scenario === scenario && cell.strategy === strategy);
          const compared = compareCells.find((cell) => cell.scenario === scenario && cell.strategy === strategy && !cell.reference);
          const spread = compared?.jobsPerSecond;
          if (window === undefined || spread === undefined || spread.median === null || spread.min === null || spread.max === null) {
            measurements.push({ name: `${scenario}/${strategy}: not measured by ${window === undefined ? 'the daemon' : 'compare'}`, value: Number.NaN, unit: '×' });
            continue;
          }
          const inside = window.jobsPerSecond >= spread.min && window.jobsPerSecond <= spread.max;
          const near = window.jobsPerSecond >= spread.min * (1 - TOLERANCE) && window.jobsPerSecond <= spread.max * (1 + TOLERANCE);
          measurements.push({
            name: `${scenario}/${strategy}: daemon ${window.jobsPerSecond.toFixed(1)} jobs/s; compare ${spread.median.toFixed(1)} (${spread.min.toFixed(1)}–${spread.max.toFixed(1)})`,
            value: window.jobsPerSecond / spread.median,
            unit: '× median',
            target: { description: `inside min–max${inside ? '' : ` ± ${TOLERANCE * 100} %`}`, met: near },
            detail: { daemonJobsPerSecond: window.jobsPerSecond, compareJobsPerSecond: spread, inside, withinTolerance: near, compareConcurrency: compared!.concurrency, compareRounds: compared!.rounds },
          });
        }
      }
      return measurements;
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
};

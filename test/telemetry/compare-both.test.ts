import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompareReport } from '../../src/report/report-schema.ts';
import { CompareReportSchema } from '../../src/report/report-schema.ts';
import type { TelemetryOverheadCell } from '../../src/report/telemetry-overhead.ts';
import { exitWithin } from '../support/exit-within.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type ExportedSpan, type RunningCollector, startCollector } from '../support/start-collector.ts';
import { startProcess } from '../support/started-process.ts';
import { waitFor } from '../support/wait-for.ts';

const COMPARE_TIMEOUT_MS = 150_000;
/** matrix and http, a main-thread and a pool strategy, one short round each. */
const ARGS = [
  ...['--duration', '1s', '--warmup', '0s', '--rounds', '1', '--io-rounds', '1', '--scenarios', 'matrix,http', '--sizes', 'matrix=60'],
  ...['--strategies', 'sequential,threads', '--concurrency', '4', '--delay-ms', '10', '--workers', '1', '--fit-sample', '1', '--python', 'off'],
];
const CELLS = [
  ['matrix', 'sequential'],
  ['matrix', 'threads'],
  ['http', 'sequential'],
  ['http', 'threads'],
] as const;

/** Issue 18: compare --telemetry both measures every cell untraced and traced in the same rounds. */
describe('compare --telemetry both (a real Collector)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-both-'));
  let collector: RunningCollector;
  let report: CompareReport;
  let markdown: string;

  before(async () => {
    collector = await startCollector();
    const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: '' };
    const started = await startProcess(NODE, [CLI, 'compare', ...ARGS, '--telemetry', 'both', '--out', dir], { env });
    try {
      assert.equal(await exitWithin(started, COMPARE_TIMEOUT_MS, 'compare'), 0, `compare failed:\n${started.output()}`);
    } finally {
      await started.stop('SIGKILL');
    }
    report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as CompareReport;
    markdown = readFileSync(join(dir, 'report.md'), 'utf8');
  });
  after(async () => {
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('report.json has, per cell, the untraced figure the plain cell has, the traced one and traced ÷ untraced', () => {
    assert.doesNotThrow(() => CompareReportSchema.parse(report));
    const overhead = report.telemetryOverhead;
    assert.ok(overhead !== undefined, 'a telemetryOverhead section');
    assert.equal(overhead.untraced.traced, false);
    assert.equal(overhead.untraced.settings.OTEL_SDK_DISABLED, 'true');
    assert.equal(overhead.traced.traced, true);
    assert.equal(overhead.traced.settings.OTEL_SDK_DISABLED, 'false');
    assert.equal(overhead.traced.settings.OTEL_TRACES_SAMPLER, 'always_on');
    assert.equal(report.parameters.telemetry?.traced, false, 'the cpu and io cells are the untraced rounds');
    for (const [scenario, strategy] of CELLS) {
      const cell: TelemetryOverheadCell | undefined = overhead.cells.find((c) => c.scenario === scenario && c.strategy === strategy);
      assert.ok(cell !== undefined, `${scenario} on ${strategy} measured both ways`);
      const plain = [...report.cpu, ...report.io].find((c) => c.scenario === scenario && c.strategy === strategy && !c.reference);
      assert.equal(cell.untracedJobsPerSecond.median, plain?.jobsPerSecond.median, `${scenario} on ${strategy}: the untraced figure is the cell's own`);
      assert.ok((cell.tracedJobsPerSecond.median ?? 0) > 0, `${scenario} on ${strategy}: traced jobs ran`);
      assert.ok(cell.ratio.median !== null && Math.abs(cell.ratio.median - cell.tracedJobsPerSecond.median! / cell.untracedJobsPerSecond.median!) < 1e-9, `${scenario} on ${strategy}: the ratio`);
      assert.ok(cell.cpuPerJobRatio.median !== null && cell.cpuPerJobRatio.median > 0);
      assert.ok(cell.runTimeRatio.median !== null && cell.runTimeRatio.median > 0, `${scenario} on ${strategy}: the scenario's own run time on both sides`);
    }
    assert.deepEqual(new Set(overhead.spread.map((entry) => entry.scenario)), new Set(['matrix', 'http']));
    assert.match(markdown, /## Telemetry overhead per cell \(--telemetry both\)/);
    assert.match(markdown, /\| matrix \| threads \| 2 \| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    assert.match(markdown, /OTEL_SDK_DISABLED=true.*OTEL_SDK_DISABLED=false/s);
  });

  it('the traced rounds, and only they, sent their spans: one job span per traced job, the pools’ execute spans from the worker', async () => {
    const overhead = report.telemetryOverhead!;
    const expected = new Map(overhead.cells.map((cell) => [`${cell.scenario}/${cell.strategy}`, cell.runs.reduce((sum, run) => sum + run.tracedJobs, 0)]));
    const jobSpans = (spans: readonly ExportedSpan[], key: string): number => spans.filter((span) => `${span.name.replace(/^job /, '')}/${span.attributes['lab.strategy']}` === key && span.name.startsWith('job ')).length;
    const spans = await waitFor(
      async () => {
        const all = await collector.spans();
        return [...expected].every(([key, jobs]) => jobSpans(all, key) >= jobs) ? all : undefined;
      },
      { description: 'a job span for every traced job', timeoutMs: 20_000 },
    );
    for (const [key, jobs] of expected) {
      assert.ok(jobs > 0, `${key}: traced jobs`);
      // Twice as many would mean the untraced rounds were traced too.
      assert.equal(jobSpans(spans, key), jobs, `${key}: one job span per traced job`);
    }
    const jobIds = new Set(spans.filter((span) => span.name.startsWith('job ')).map((span) => span.spanId));
    const workerExecutes = spans.filter((span) => span.name === 'execute' && Number(span.attributes['thread.id']) > 0);
    assert.ok(workerExecutes.length > 0 && workerExecutes.every((span) => jobIds.has(span.parentSpanId)), 'the worker’s execute spans are children of job spans');
  });
});

describe('compare --telemetry with bad input', () => {
  const cases = [
    { name: '--traced with --telemetry both', args: ['--traced', '--telemetry', 'both'], message: /option '--traced' means --telemetry on; it cannot be combined with --telemetry both/ },
    { name: 'an unknown mode', args: ['--telemetry', 'sometimes'], message: /option '--telemetry <mode>' argument 'sometimes' is invalid\. Allowed choices are off, on, both/ },
  ];
  for (const { name, args, message } of cases) {
    it(`exits 2 for ${name}, before measuring anything`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'compare-both-bad-'));
      try {
        const result = spawnSync(NODE, [CLI, 'compare', '--out', dir, ...args], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(result.status, 2, `exit status; stderr: ${result.stderr}`);
        assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /steps, about/, 'no measurement started');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompareReport } from '../../src/report/report-schema.ts';
import { exitWithin } from '../support/exit-within.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type ExportedSpan, type RunningCollector, startCollector } from '../support/start-collector.ts';
import { startProcess } from '../support/started-process.ts';
import { waitFor } from '../support/wait-for.ts';

const COMPARE_TIMEOUT_MS = 120_000;
/** The shortest compare that still runs a main-thread and a pool strategy. */
const SHORT = ['--duration', '1s', '--warmup', '0s', '--rounds', '1', '--scenarios', 'matrix', '--sizes', 'matrix=60', '--workers', '1', '--fit-sample', '1', '--python', 'off'];

async function compare(out: string, args: readonly string[], env: Record<string, string>): Promise<CompareReport> {
  const started = await startProcess(NODE, [CLI, 'compare', ...SHORT, '--out', out, ...args], { env: { ...process.env, ...env } });
  try {
    assert.equal(await exitWithin(started, COMPARE_TIMEOUT_MS, 'compare'), 0, `compare failed:\n${started.output()}`);
  } finally {
    await started.stop('SIGKILL');
  }
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as CompareReport;
}

/** Issue 18: compare runs untraced unless asked, and says how it ran. */
describe('compare --traced (a real Collector)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-traced-'));
  let collector: RunningCollector;
  let traced: CompareReport;
  let untraced: CompareReport;
  let spansAfterUntraced: ExportedSpan[];

  before(async () => {
    collector = await startCollector();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_TRACES_SAMPLER: '' };
    untraced = await compare(join(dir, 'untraced'), ['--strategies', 'sequential'], otel);
    spansAfterUntraced = await collector.spans();
    traced = await compare(join(dir, 'traced'), ['--strategies', 'sequential,threads', '--traced'], otel);
  });
  after(async () => {
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs untraced by default, and says so in report.json and report.md', () => {
    assert.equal(untraced.parameters.telemetry?.traced, false);
    assert.equal(untraced.parameters.telemetry?.settings.OTEL_SDK_DISABLED, 'true');
    assert.match(readFileSync(join(dir, 'untraced', 'report.md'), 'utf8'), /Telemetry: untraced \(.*OTEL_SDK_DISABLED=true/);
    assert.equal(spansAfterUntraced.length, 0, 'no span reached the Collector');
  });

  it('--traced: every job has its job span, the pool jobs their execute span from the worker, and the report states the settings', async () => {
    assert.equal(traced.parameters.telemetry?.traced, true);
    assert.equal(traced.parameters.telemetry?.settings.OTEL_TRACES_SAMPLER, 'always_on');
    assert.match(traced.parameters.telemetry?.description ?? '', new RegExp(`traces go to ${collector.otlpHttpUrl.replace(/[.]/g, '\\.')}`));
    assert.match(readFileSync(join(dir, 'traced', 'report.md'), 'utf8'), /Telemetry: traced \(.*OTEL_TRACES_SAMPLER=always_on/);
    const spans = await waitFor(
      async () => {
        const all = await collector.spans();
        return all.some((span) => span.name === 'job matrix' && span.attributes['lab.strategy'] === 'threads') && all.some((span) => span.name === 'execute' && Number(span.attributes['thread.id']) > 0) ? all : undefined;
      },
      { description: 'the traced compare’s spans', timeoutMs: 15_000 },
    );
    const jobs = spans.filter((span) => span.name === 'job matrix');
    for (const strategy of ['sequential', 'threads']) assert.ok(jobs.some((span) => span.attributes['lab.strategy'] === strategy), `a ${strategy} job span`);
    const jobIds = new Set(jobs.map((span) => span.spanId));
    const executes = spans.filter((span) => span.name === 'execute');
    assert.ok(executes.length > 0 && executes.every((span) => jobIds.has(span.parentSpanId)), 'every execute span is the child of a job span');
  });
});

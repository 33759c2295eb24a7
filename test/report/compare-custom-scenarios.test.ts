// A short compare of the two fixture scenario modules under every strategy (issue 17): the
// custom scenarios are measured like the built-ins, report.json (schema 3) carries every cell's
// verdict and a recommendation per scenario, and the terminal and report.md show them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { type CompareReport, CompareReportSchema } from '../../src/report/report-schema.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
const TIMEOUT_MS = 150_000;

describe('compare with --scenario-module', { timeout: TIMEOUT_MS + 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-custom-'));
  const out = join(dir, 'report');
  let compare: StartedProcess | undefined;
  let report: CompareReport;

  before(async () => {
    compare = await startProcess(NODE, [
      CLI,
      'compare',
      ...['--scenario-module', join(FIXTURES, 'collatz-cpu.ts'), '--scenario-module', join(FIXTURES, 'wait-io.ts')],
      // --scenarios left out: the default scenarios plus the modules' would run; name just the custom ones.
      ...['--scenarios', 'collatz,wait', '--sizes', 'collatz=100000,wait=50', '--rounds', '2', '--io-rounds', '1'],
      ...['--duration', '1500ms', '--warmup', '300ms', '--concurrency', '1,64', '--workers', '2', '--fit-sample', '1', '--python', 'off', '--out', out],
    ]);
    const timer = setTimeout(() => void compare?.stop('SIGKILL'), TIMEOUT_MS);
    const { code } = await compare.exited;
    clearTimeout(timer);
    assert.equal(code, 0, compare.output());
    report = CompareReportSchema.parse(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
  });
  after(async () => {
    await compare?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const cell = (scenario: string, strategy: string, concurrency?: number) =>
    [...report.cpu, ...report.io].find((c) => c.scenario === scenario && c.strategy === strategy && !c.reference && (concurrency === undefined || c.concurrency === concurrency))!;

  it('measures the custom CPU scenario among the CPU cells and the custom I/O one among the I/O cells, under every strategy', () => {
    assert.equal(report.schemaVersion, 3);
    assert.deepEqual(report.parameters.scenarios, ['collatz', 'wait']);
    assert.deepEqual(report.parameters.sizes, { collatz: 100_000, wait: 50 });
    for (const strategy of ['sequential', 'async', 'threads', 'processes']) {
      assert.ok(report.cpu.some((c) => c.scenario === 'collatz' && c.strategy === strategy && c.ok > 0), `collatz on ${strategy}`);
      assert.ok(report.io.some((c) => c.scenario === 'wait' && c.strategy === strategy && c.ok > 0), `wait on ${strategy}`);
    }
  });

  it('judges the pure-JavaScript scenario cpu-main-thread on sequential and async, and recommends a pool for it', () => {
    for (const strategy of ['sequential', 'async']) assert.equal(cell('collatz', strategy).verdict.limit, 'cpu-main-thread', JSON.stringify(cell('collatz', strategy).verdict));
    const recommendation = report.recommendations.find((r) => r.scenario === 'collatz')!;
    assert.match(recommendation.strategy, /^(threads|processes)$/, recommendation.why);
    // A margin below 1 only when the pool tied with a faster main-thread strategy (within 5 %) and kept the loop freer.
    assert.ok(recommendation.margin !== null && (recommendation.margin >= 1 || /a tie within 5 %: \w+ keeps the event loop freer/.test(recommendation.why)), recommendation.why);
    assert.match(recommendation.why, /^(threads|processes): \d+\.\d jobs\/s at 4 in flight, \d\.\d\d of \d+ cores, loop p99 [\d.]+ ms \(\S+\); runner-up \w+ [\d.]+ jobs\/s, [\d.]+×/);
  });

  it('judges the waiting scenario upstream-bound on every strategy (at 1 in flight, and async at 64), and recommends async or a pool for it', () => {
    for (const strategy of ['sequential', 'async', 'threads', 'processes']) assert.equal(cell('wait', strategy, 1).verdict.limit, 'upstream-bound', JSON.stringify(cell('wait', strategy, 1).verdict));
    assert.equal(cell('wait', 'async', 64).verdict.limit, 'upstream-bound', JSON.stringify(cell('wait', 'async', 64).verdict));
    const recommendation = report.recommendations.find((r) => r.scenario === 'wait')!;
    assert.match(recommendation.strategy, /^(async|threads|processes)$/, recommendation.why);
    assert.match(recommendation.why, /slowest sequential [\d.]+ jobs\/s, upstream-bound: 1\.0 jobs running, the main thread busy \d+ %/);
  });

  it('prints the verdicts and the recommendation in the terminal and in report.md', () => {
    const output = compare!.output();
    assert.match(output, /What limited each cell \(thresholds: src\/report\/verdict-rules\.ts\)\n\nscenario\s+strategy\s+in flight\s+jobs\/s\s+limit\s+evidence/);
    assert.match(output, /collatz\s+async\s+4\s+[\d.]+\s+cpu-main-thread\s+main thread busy/);
    assert.match(output, /Which strategy to use, per scenario\n\nscenario\s+use\s+jobs\/s\s+runner-up\s+margin\s+why\n[- ]+\ncollatz\s+(threads|processes)\s/);
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(markdown, /## Which strategy to use, per scenario\n\n\| scenario \| use \| jobs\/s \| runner-up \| margin \| why \|/);
    assert.match(markdown, /\| wait \| (async|threads|processes) \| /);
    assert.match(markdown, /## What limited each cell\n\nThe first rule that holds/);
  });
});

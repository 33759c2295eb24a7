import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import sharp from 'sharp';
import { after, before, describe, it } from 'node:test';
import type { CellRecord, CompareReport, SpreadRecord } from '../../src/report/report-schema.ts';
import { exitWithin } from '../support/exit-within.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { resolveTool } from '../support/tools.ts';

const COMPARE_TIMEOUT_MS = 120_000;
const CHROMIUM_TIMEOUT_MS = 30_000;

function run(report: CompareReport, list: 'cpu' | 'io', scenario: string, strategy: string, concurrency?: number, reference = false): CellRecord {
  const found = report[list].find((r) => r.scenario === scenario && r.strategy === strategy && r.reference === reference && (concurrency === undefined || r.concurrency === concurrency));
  assert.ok(found !== undefined, `${scenario} on ${strategy}${concurrency === undefined ? '' : ` at ${concurrency}`}${reference ? ' (reference)' : ''} is in the report`);
  return found;
}

/** The median of a figure that must have been measured. */
function median(spread: SpreadRecord | null): number {
  assert.ok(spread !== null && spread.median !== null, 'measured');
  return spread.median;
}

const key = (cell: CellRecord): string => `${cell.scenario}/${cell.strategy}×${cell.workers}@${cell.concurrency}`;

describe('concurrency-lab compare, a short real run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-'));
  const out = join(dir, 'report');
  const started: StartedProcess[] = [];
  let compare: StartedProcess;
  let report: CompareReport;

  before(async () => {
    compare = await startProcess(NODE, [
      CLI,
      'compare',
      ...['--duration', '1s', '--warmup', '0.3s', '--rounds', '2', '--scenarios', 'matrix,http', '--strategies', 'sequential,threads'],
      ...['--concurrency', '1,16', '--workers', '2', '--sizes', 'matrix=120', '--fit-sample', '2', '--out', out],
      // The Python rows have their own test (python-compare.test.ts); here they would only add time.
      ...['--python', 'off'],
    ]);
    started.push(compare);
    const code = await exitWithin(compare, COMPARE_TIMEOUT_MS, 'compare');
    assert.equal(code, 0, `compare exit code; output:\n${compare.output()}`);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as CompareReport;
  });
  after(async () => {
    await Promise.all(started.map((process) => process.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows progress on stderr and the tables on stdout, and writes all three files', () => {
    const output = compare.output();
    // One fit step, 3 CPU cells (sequential, threads, the one-worker reference) × 2 rounds, 3 http cells × 1 round.
    assert.match(output, /compare: 10 steps, about \d+ s/);
    assert.match(output, /\[1\/10\] how many fit: 2 worker threads \(about \d+ s left\)/);
    assert.match(output, /\[2\/10\] matrix on sequential, 4 in flight, round 1\/2 /);
    assert.match(output, /\[4\/10\] matrix on threads \(1 worker, reference\), 2 in flight, round 1\/2 /);
    assert.match(output, /\[5\/10\] matrix on threads \(1 worker, reference\), 2 in flight, round 2\/2 /);
    assert.match(output, /\[7\/10\] matrix on sequential, 4 in flight, round 2\/2 /);
    assert.match(output, /\[10\/10\] http on threads, 16 in flight \(/);
    assert.match(output, /The talk's table, for Node \(measured: medians across rounds; the spread is in the tables below\)/);
    assert.match(output, /CPU-bound\n\nscenario\s+strategy\s+rounds\s+jobs\/s\s+speed-up\s+efficiency\s+cores used/);
    assert.match(output, /matrix\s+threads \(1 worker\)\s+2\s+[\d.]+ \([\d.]+–[\d.]+\)/);
    assert.match(output, /strategy\s+in flight\s+tasks\/worker\s+rounds\s+req\/s/);
    for (const file of ['report.md', 'report.json', 'chart.svg']) assert.ok(existsSync(join(out, file)), `${file} written`);
  });

  it('writes a report.json that validates against the committed schema', () => {
    const ajv = new Ajv.default({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')));
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    assert.equal(report.machine.cpus, cpus().length);
    assert.equal(report.machine.nodeVersion, process.version);
  });

  it('measures every planned cell in its rounds, skips sequential above one request with the reason, and counts no errors', (t) => {
    assert.equal(report.schemaVersion, 3);
    assert.deepEqual(report.cpu.map(key), ['matrix/sequential×2@4', 'matrix/threads×2@4', 'matrix/threads×1@2']);
    assert.deepEqual(report.io.map(key), ['http/sequential×2@1', 'http/threads×2@1', 'http/threads×2@16']);
    assert.deepEqual(report.skipped.map((s) => `${s.strategy}@${s.concurrency}`), ['sequential@16']);
    assert.match(report.skipped[0]!.reason, /sequential runs one request at a time/);
    for (const cell of [...report.cpu, ...report.io]) {
      const rounds = report.cpu.includes(cell) ? 2 : 1;
      assert.equal(cell.rounds, rounds, key(cell));
      assert.deepEqual(cell.runs.map((r) => r.round), rounds === 2 ? [1, 2] : [1]);
      assert.ok(cell.ok > 0 && cell.ok === cell.jobs, `${key(cell)}: ${cell.ok} of ${cell.jobs} ok, errors ${JSON.stringify(cell.errors)}`);
      assert.equal(cell.jobs, cell.runs.reduce((sum, r) => sum + r.jobs, 0));
      for (const r of cell.runs) assert.ok(r.eventLoopDelayP99Ms > 0 && r.memoryBytes > 0, 'event-loop delay and memory measured');
      // Every figure: the median of the rounds, between their min and max (two rounds: their mean).
      const rates = cell.runs.map((r) => r.jobsPerSecond);
      assert.deepEqual(cell.jobsPerSecond, { median: rates.reduce((a, b) => a + b, 0) / rates.length, min: Math.min(...rates), max: Math.max(...rates) });
      for (const spread of [cell.coresUsed, cell.eventLoopDelayP99Ms, cell.memoryBytes, cell.latencyMs.p50, cell.latencyMs.p99]) {
        assert.ok(spread.min! <= spread.median! && spread.median! <= spread.max!, `${key(cell)}: ${JSON.stringify(spread)}`);
      }
    }
    // The rounds ran interleaved: sequential, threads, reference, then reference, threads, sequential.
    assert.deepEqual(report.cpu.map((cell) => cell.runs.map((r) => r.position)), [[1, 6], [2, 5], [3, 4]]);
    assert.equal(median(run(report, 'cpu', 'matrix', 'sequential').speedUpOverSequential), 1);
    // One request at a time to a 50 ms upstream: at most 20 per second.
    assert.ok(median(run(report, 'io', 'http', 'sequential', 1).jobsPerSecond) <= 21);
    assert.deepEqual(report.io.map((cell) => cell.tasksPerWorker), [null, 128, 128]);
    const fit = report.memory.units;
    assert.deepEqual(fit.map((unit) => [unit.unit, unit.started]), [['worker thread', 2]]);
    assert.ok(fit[0]!.bytesPerUnit > 256 * 1024 && fit[0]!.fitInBudget > 0, `a worker thread costs some memory: ${JSON.stringify(fit[0])}`);
    t.diagnostic(`took ${report.elapsedSeconds.toFixed(1)} s, estimated ${report.estimatedSeconds.toFixed(1)} s`);
  });

  it('measures a one-worker reference and a sane parallel efficiency, and flags exactly the speed-ups above the cores', (t) => {
    const threads = run(report, 'cpu', 'matrix', 'threads');
    const reference = run(report, 'cpu', 'matrix', 'threads', 2, true);
    assert.equal(reference.workers, 1);
    assert.equal(median(reference.efficiency), 1, 'the reference against itself');
    assert.equal(run(report, 'cpu', 'matrix', 'sequential').efficiency, null);
    const efficiency = median(threads.efficiency);
    t.diagnostic(`threads: ${median(threads.jobsPerSecond).toFixed(1)} jobs/s, one worker ${median(reference.jobsPerSecond).toFixed(1)}, efficiency ${efficiency.toFixed(2)}, speed-up ${median(threads.speedUpOverSequential).toFixed(2)}`);
    assert.ok(efficiency > 0 && efficiency <= 1.3, `efficiency ${efficiency}`);
    // Within each round: this round's threads ÷ (2 × this round's reference).
    for (const r of threads.runs) {
      const own = reference.runs.find((other) => other.round === r.round)!;
      assert.ok(Math.abs(r.efficiency! - r.jobsPerSecond / (2 * own.jobsPerSecond)) < 1e-9);
    }
    const cores = report.machine.availableParallelism;
    for (const cell of report.cpu) {
      const above = (cell.speedUpOverSequential?.median ?? 0) > cores || (cell.efficiency?.median ?? 0) * cell.workers > cores;
      assert.equal(cell.speedUpAboveCores, above, key(cell));
    }
    assert.equal(report.warnings.some((w) => /more than the cores can give/.test(w)), report.cpu.some((cell) => cell.speedUpAboveCores));
  });

  it('measures about one core for sequential matrix and more than one for threads', (t) => {
    const sequential = { coresUsed: median(run(report, 'cpu', 'matrix', 'sequential').coresUsed) };
    const threads = { coresUsed: median(run(report, 'cpu', 'matrix', 'threads').coresUsed) };
    t.diagnostic(`cores: sequential ${sequential.coresUsed.toFixed(2)}, threads ${threads.coresUsed.toFixed(2)}; load average at start ${report.machine.loadAverageAtStart.join(' ')}`);
    // One thread cannot use more than one core, whatever else the machine runs.
    assert.ok(sequential.coresUsed <= 1.3, `sequential used ${sequential.coresUsed} cores`);
    if (report.machine.availableParallelism < 2) return;
    // Cores used is CPU time ÷ wall time: other work on a shared machine takes cores away
    // from the run, so the lower bounds only hold when the machine was not already busier
    // than its cores when the compare started.
    if (report.machine.loadAverageAtStart[0]! >= report.machine.availableParallelism) {
      // The scheduler still shares the cores per thread: two busy threads get more than one.
      t.diagnostic('the machine was overloaded at the start: only checking that threads got more CPU than one thread');
      assert.ok(threads.coresUsed > sequential.coresUsed, `threads used ${threads.coresUsed} cores, sequential ${sequential.coresUsed}`);
      return;
    }
    assert.ok(sequential.coresUsed >= 0.6, `sequential used ${sequential.coresUsed} cores`);
    assert.ok(threads.coresUsed > 1.2, `threads used ${threads.coresUsed} cores`);
  });

  it('writes report.md with the talk\'s claims beside the measured Node rows', () => {
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(markdown, /\| runs \(Python, the talk\) \| in parallel \| "in parallel" \(GIL: one core\) \| concurrently, one thread \|/);
    assert.match(markdown, /\| runs \(Node, measured\) \| not measured \| (in parallel|one core or less): [\d.]+ cores on matrix \|/);
    assert.match(markdown, /\*\*threads-parallel\*\*/);
    assert.match(markdown, /Node has no GIL/);
    assert.match(markdown, /libuv's threadpool/);
    assert.match(markdown, /\| sequential \| 1 \| - \| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    assert.match(markdown, /\| threads \| 16 \| 128 \| 1 \| [\d.]+ \|/);
    // CPU cells ran two rounds: the median with the min–max in brackets, for every figure.
    const spread = String.raw`[\d.]+x? \([\d.]+–[\d.]+\)`;
    assert.match(markdown, new RegExp(String.raw`\| matrix \| threads \| 2 \| ${spread} \| ${spread}( !)? \| ${spread}( !)? \| ${spread} \| ${spread} \| ${spread} \| ${spread} \| 0 \|`));
    assert.match(markdown, new RegExp(String.raw`\| matrix \| threads \(1 worker\) \| 2 \| ${spread} \|`));
    assert.match(markdown, /2 rounds for CPU scenarios and 1 for http, interleaved per scenario/);
  });

  it('renders chart.svg in headless Chromium to a PNG that is not blank', async () => {
    const svgPath = join(out, 'chart.svg');
    const svg = readFileSync(svgPath, 'utf8');
    const size = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
    assert.ok(size !== null, 'the SVG states its size');
    const png = join(dir, 'chart.png');
    const chromium = await startProcess(resolveTool('chromium'), [
      ...['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--hide-scrollbars'],
      `--user-data-dir=${join(dir, 'chromium-profile')}`,
      `--screenshot=${png}`,
      `--window-size=${size[1]},${size[2]}`,
      pathToFileURL(svgPath).href,
    ]);
    started.push(chromium);
    const code = await exitWithin(chromium, CHROMIUM_TIMEOUT_MS, 'chromium');
    assert.equal(code, 0, `chromium exit code; output:\n${chromium.output()}`);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, Number(size[1]));
    const colours = new Set<number>();
    let notWhite = 0;
    for (let offset = 0; offset < data.length; offset += 3) {
      const rgb = (data[offset]! << 16) | (data[offset + 1]! << 8) | data[offset + 2]!;
      colours.add(rgb);
      if (rgb !== 0xffffff) notWhite++;
    }
    const pixels = info.width * info.height;
    // Bars, lines, text and axes in several strategy colours; a blank or failed render is one colour.
    assert.ok(colours.size >= 20, `${colours.size} distinct colours`);
    assert.ok(notWhite > pixels * 0.02, `${notWhite} of ${pixels} pixels are not white`);
  });
});

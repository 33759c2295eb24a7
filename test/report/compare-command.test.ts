import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv';
import sharp from 'sharp';
import { after, before, describe, it } from 'node:test';
import type { CompareReport, RunRecord } from '../../src/report/report-schema.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { resolveTool } from '../support/tools.ts';

const COMPARE_TIMEOUT_MS = 75_000;
const CHROMIUM_TIMEOUT_MS = 30_000;

/** Waits for a started process to exit, killing it (by pid) past the deadline. */
async function exitWithin(started: StartedProcess, timeoutMs: number, what: string): Promise<number | null> {
  const timer = setTimeout(() => void started.stop('SIGKILL'), timeoutMs);
  try {
    const { code, signal } = await started.exited;
    assert.equal(signal, null, `${what} was killed (${signal}) after ${timeoutMs} ms; output:\n${started.output()}`);
    return code;
  } finally {
    clearTimeout(timer);
  }
}

function run(report: CompareReport, list: 'cpu' | 'io', scenario: string, strategy: string, concurrency?: number): RunRecord {
  const found = report[list].find((r) => r.scenario === scenario && r.strategy === strategy && (concurrency === undefined || r.concurrency === concurrency));
  assert.ok(found !== undefined, `${scenario} on ${strategy}${concurrency === undefined ? '' : ` at ${concurrency}`} is in the report`);
  return found;
}

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
      ...['--duration', '1s', '--warmup', '0.5s', '--scenarios', 'matrix,http', '--strategies', 'sequential,threads'],
      ...['--concurrency', '1,16', '--workers', '2', '--fit-sample', '2', '--out', out],
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
    assert.match(output, /compare: 6 steps, about \d+ s/);
    assert.match(output, /\[1\/6\] how many fit: 2 worker threads \(about \d+ s left\)/);
    assert.match(output, /\[6\/6\] http on threads, 16 in flight/);
    assert.match(output, /The talk's table, for Node \(measured\)/);
    assert.match(output, /CPU-bound\n\nscenario\s+strategy\s+jobs\/s\s+speed-up\s+cores used/);
    for (const file of ['report.md', 'report.json', 'chart.svg']) assert.ok(existsSync(join(out, file)), `${file} written`);
  });

  it('writes a report.json that validates against the committed schema', () => {
    const ajv = new Ajv.default({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')));
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
    assert.equal(report.machine.cpus, cpus().length);
    assert.equal(report.machine.nodeVersion, process.version);
  });

  it('measures every planned combination, skips sequential above one request with the reason, and counts no errors', () => {
    assert.deepEqual(report.cpu.map((r) => `${r.scenario}/${r.strategy}@${r.concurrency}`), ['matrix/sequential@4', 'matrix/threads@4']);
    assert.deepEqual(report.io.map((r) => `${r.scenario}/${r.strategy}@${r.concurrency}`), ['http/sequential@1', 'http/threads@1', 'http/threads@16']);
    assert.deepEqual(report.skipped.map((s) => `${s.strategy}@${s.concurrency}`), ['sequential@16']);
    assert.match(report.skipped[0]!.reason, /sequential runs one request at a time/);
    for (const r of [...report.cpu, ...report.io]) {
      assert.ok(r.ok > 0 && r.ok === r.jobs, `${r.scenario}/${r.strategy}@${r.concurrency}: ${r.ok} of ${r.jobs} ok, errors ${JSON.stringify(r.errors)}`);
      assert.ok(r.eventLoopDelayP99Ms > 0, 'event-loop delay measured');
    }
    assert.equal(run(report, 'cpu', 'matrix', 'sequential').speedUpOverSequential, 1);
    // One request at a time to a 50 ms upstream: at most 20 per second.
    assert.ok(run(report, 'io', 'http', 'sequential', 1).jobsPerSecond <= 21);
    const fit = report.memory.units;
    assert.deepEqual(fit.map((unit) => [unit.unit, unit.started]), [['worker thread', 2]]);
    assert.ok(fit[0]!.bytesPerUnit > 256 * 1024 && fit[0]!.fitInBudget > 0, `a worker thread costs some memory: ${JSON.stringify(fit[0])}`);
  });

  it('measures about one core for sequential matrix and more than one for threads', (t) => {
    const sequential = run(report, 'cpu', 'matrix', 'sequential');
    const threads = run(report, 'cpu', 'matrix', 'threads');
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
    assert.match(markdown, /\| sequential \| 1 \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
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

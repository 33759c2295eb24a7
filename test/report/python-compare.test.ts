import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { after, before, describe, it } from 'node:test';
import type { PythonRun } from '../../src/report/python-schema.ts';
import type { CompareReport } from '../../src/report/report-schema.ts';
import { sourceImage } from '../../src/scenarios/source-images.ts';
import { exitWithin } from '../support/exit-within.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';

const COMPARE_TIMEOUT_MS = 240_000;
const MISSING_TIMEOUT_MS = 30_000;

function row(report: CompareReport, workload: string, model: string): PythonRun {
  const found = report.python?.runs.find((run) => run.workload === workload && run.model === model);
  assert.ok(found !== undefined, `python ${workload} on ${model} is in the report`);
  return found;
}

describe('compare --python on: the talk\'s Python beside Node, a short real run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-python-'));
  const out = join(dir, 'report');
  const started: StartedProcess[] = [];
  let compare: StartedProcess;
  let report: CompareReport;

  before(async () => {
    compare = await startProcess(NODE, [
      CLI,
      'compare',
      ...['--python', 'on', '--duration', '1500ms', '--warmup', '300ms', '--rounds', '2', '--scenarios', 'thumbnail,matrix,http', '--strategies', 'async,threads'],
      ...['--concurrency', '16', '--workers', '2', '--fit-sample', '2', '--sizes', 'matrix=60', '--out', out],
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

  it('says which python3 it found, and writes the Python rows into the terminal, report.md, report.json and chart.svg', () => {
    const output = compare.output();
    assert.match(output, /^python: \S*python3 \(Python 3\.\d+\.\d+, Pillow [\d.]+, requests [\d.]+, aiohttp [\d.]+\): Python rows on$/m);
    assert.match(output, /The talk's Python beside Node \(measured\)/);
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(markdown, /## The talk's Python beside Node, measured/);
    assert.match(markdown, /\| Python processes \| Node processes \| Python threads \| Node threads \| Python asyncio \| Node async \|/);
    assert.match(markdown, /\| matrix \| threads \| 4 \| 2 \|/);
    const chart = readFileSync(join(out, 'chart.svg'), 'utf8');
    assert.match(chart, /Python \(the talk's code\) beside Node/);
    assert.match(chart, /Python asyncio/);
    const models = new Set(report.python!.runs.map((run) => `${run.workload} ${run.model}`));
    for (const expected of ['thumbnail sequential', 'thumbnail processes', 'thumbnail threads', 'matrix sequential', 'matrix processes', 'matrix threads', 'http threads', 'http asyncio']) {
      assert.ok(models.has(expected), `${expected} in ${[...models].join(', ')}`);
    }
    assert.ok(report.findings.some((finding) => finding.id === 'python-gil-vs-node-threads'));
  });

  it('runs the Python rows in the same interleaved rounds as the Node cells of their scenario, with medians and spread', () => {
    for (const workload of ['thumbnail', 'matrix']) {
      const node = report.cpu.filter((cell) => cell.scenario === workload).flatMap((cell) => cell.runs.map((run) => run.position));
      for (const python of report.python!.runs.filter((run) => run.workload === workload)) {
        assert.equal(python.rounds, 2, `${workload} on ${python.model}: two rounds like the Node cells`);
        assert.deepEqual(python.runs.map((run) => run.round), [1, 2]);
        for (const run of python.runs) {
          assert.ok(run.position > Math.min(...node) && run.position < Math.max(...node), `python ${workload} ${python.model} round ${run.round} at ${run.position}, among the Node rounds ${node.join(',')}`);
        }
        assert.equal(python.jobs, python.runs.reduce((sum, run) => sum + run.jobs, 0));
        const rates = python.runs.map((run) => run.jobsPerSecond);
        assert.equal(python.spread.jobsPerSecond.min, Math.min(...rates));
        assert.equal(python.jobsPerSecond, (rates[0]! + rates[1]!) / 2, 'the median of two rounds');
      }
    }
    const positions = [...report.cpu, ...report.io].flatMap((cell) => cell.runs.map((run) => run.position)).concat(report.python!.runs.flatMap((row) => row.runs.map((run) => run.position)));
    assert.deepEqual(positions.toSorted((a, b) => a - b), positions.map((_, index) => index + 1), 'every step has its own place, Node and Python');
  });

  it('writes a report.json that validates against schemas/report.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv.default({ allErrors: true, strict: true }).compile(schema);
    assert.ok(validate(report), JSON.stringify(validate.errors, null, 2));
  });

  it('has sane numbers: Python threads on pure-Python matrix stay on about one core (the GIL), the Pool uses more on a multi-core machine', (t) => {
    for (const run of report.python!.runs) {
      assert.ok(run.ok > 0, `${run.workload} on ${run.model} finished jobs`);
      assert.deepEqual(run.errors, {}, `${run.workload} on ${run.model} had no errors`);
      assert.ok(run.cpuMsPerJob !== null && run.cpuMsPerJob > 0);
    }
    const threads = row(report, 'matrix', 'threads');
    assert.ok(threads.coresUsed <= 1.2, `Python threads on matrix used ${threads.coresUsed} cores`);
    const pool = row(report, 'matrix', 'processes');
    const [load = 0] = report.machine.loadAverageAtStart;
    if (report.machine.availableParallelism >= 2 && load < report.machine.availableParallelism) {
      assert.ok(pool.coresUsed > 1, `the Pool of 2 used ${pool.coresUsed} cores`);
      assert.ok(pool.coresUsed > threads.coresUsed, `the Pool (${pool.coresUsed}) used more cores than the GIL-bound threads (${threads.coresUsed})`);
    } else {
      t.diagnostic(`machine busy (load ${load} on ${report.machine.availableParallelism} cores): Pool used ${pool.coresUsed} cores, not asserted above 1`);
    }
    for (const unit of ['process', 'thread', 'coroutine']) {
      const measured = report.python!.memory.find((u) => u.unit === unit);
      assert.ok(measured !== undefined && measured.bytesPerUnit > 0 && measured.fitInBudget > 0, `${unit} memory measured`);
    }
    const process = report.python!.memory.find((u) => u.unit === 'process')!;
    const coroutine = report.python!.memory.find((u) => u.unit === 'coroutine')!;
    assert.ok(process.bytesPerUnit > coroutine.bytesPerUnit, 'a process costs more than an in-flight coroutine');
  });

  it('reads the same source image bytes and calls the same upstream as the Node side', async () => {
    const nodeImage = await sourceImage(1600);
    assert.equal(report.python!.inputs.imageSha256, createHash('sha256').update(nodeImage).digest('hex'), 'Python hashed the bytes the Node thumbnail scenario uses');
    const httpOk = report.python!.runs.filter((run) => run.workload === 'http').reduce((sum, run) => sum + run.ok, 0);
    assert.ok(httpOk > 0);
    // Counted by the upstream itself (its upstream_responses_total) across the Python rows only: warm-up requests come on top.
    assert.ok((report.python!.inputs.upstreamRequests ?? 0) >= httpOk, `the upstream answered ${report.python!.inputs.upstreamRequests} requests, the Python rows counted ${httpOk}`);
    assert.ok(report.python!.inputs.upstreamUrl?.startsWith('http://127.0.0.1:'));
  });
});

describe('compare --python: bad values and a missing python3', () => {
  it('exits 2 naming the option for a value other than auto, on, off', async () => {
    const compare = await startProcess(NODE, [CLI, 'compare', '--python', 'maybe', '--scenarios', 'matrix']);
    try {
      assert.equal(await exitWithin(compare, MISSING_TIMEOUT_MS, 'compare'), 2, compare.output());
      assert.match(compare.output(), /option '--python <mode>' argument 'maybe' is invalid\. Allowed choices are auto, on, off\./);
    } finally {
      await compare.stop('SIGKILL');
    }
  });


  it('exits 2 naming what is missing, before measuring anything', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-python-'));
    try {
      const compare = await startProcess(NODE, [CLI, 'compare', '--python', 'on', '--scenarios', 'matrix', '--out', join(empty, 'out')], { env: { ...process.env, PATH: empty } });
      try {
        assert.equal(await exitWithin(compare, MISSING_TIMEOUT_MS, 'compare'), 2, compare.output());
        assert.match(compare.output(), /option '--python on': no python3 on PATH/);
      } finally {
        await compare.stop('SIGKILL');
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

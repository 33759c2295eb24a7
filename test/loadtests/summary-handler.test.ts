// handleSummary's report (loadtests/lib/summary-handler.ts) on summary data shaped as k6
// documents it, and where it sends the JSON: the output map k6 writes is what is checked, with
// the k6 modules replaced by the test doubles in ./doubles (k6 is not run in this project).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { registerK6Doubles, setK6Env } from './doubles/register.ts';
import { counter, rate, summaryData, trend } from './k6-summary-data.ts';

registerK6Doubles();
const { summaryHandler } = await import('../../loadtests/lib/summary-handler.ts');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'loadtests', 'results');

/** Two strategies of a compare.ts run: threads passed everything, processes crossed its p99 limit. */
function compareData(): ReturnType<typeof summaryData> {
  return summaryData(21_500, {
    http_reqs: counter(200, 21.5),
    'http_reqs{strategy:threads}': counter(100, 21.5, { 'count>=0': { ok: true } }),
    'http_req_duration{strategy:threads}': trend({ avg: 6, min: 2.1, med: 5.5, max: 30.2, p90: 9, p95: 11.25, p99: 18.5 }, { 'p(95)<100': { ok: true }, 'p(99)<250': { ok: true } }),
    'http_req_failed{strategy:threads}': rate(0, 100, { 'rate<=0.01': { ok: true } }),
    'checks{strategy:threads}': rate(200, 0, { 'rate>=0.99': { ok: true } }),
    'shed{strategy:threads}': rate(0, 100, { 'rate>=0': { ok: true } }),
    'dropped_iterations{scenario:threads}': counter(0, 21.5, { 'count<=0': { ok: true } }),
    'http_reqs{strategy:processes}': counter(100, 21.5, { 'count>=0': { ok: true } }),
    'http_req_duration{strategy:processes}': trend({ avg: 40, min: 3, med: 20, max: 900, p90: 70, p95: 120, p99: 412.345 }, { 'p(95)<150': { ok: true }, 'p(99)<300': { ok: false } }),
    'http_req_failed{strategy:processes}': rate(1, 99, { 'rate<=0.01': { ok: true } }),
    'checks{strategy:processes}': rate(198, 2, { 'rate>=0.99': { ok: true } }),
    'shed{strategy:processes}': rate(0, 100, { 'rate>=0': { ok: true } }),
    // No dropped_iterations sample for processes: k6 leaves out a submetric that never got one.
  });
}

const OPTIONS = { script: 'compare', strategies: ['threads', 'processes'], activeSeconds: () => 10, parameters: { scenario: 'matrix', size: 60, strategies: ['threads', 'processes'] } };

describe("handleSummary: the per-strategy table and JSON (loadtests/lib/summary-handler.ts)", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('prints a table per strategy and lists only the crossed real thresholds', () => {
    setK6Env({ SUMMARY_JSON: 'off' });
    const output = summaryHandler(OPTIONS)(compareData() as never);
    assert.deepEqual(Object.keys(output), ['stdout'], 'SUMMARY_JSON=off: no file');
    const stdout = output.stdout!;
    assert.match(stdout, /^concurrency-lab k6 compare \(scenario matrix, size 60, strategies threads,processes\), 21\.5 s$/m);
    assert.match(stdout, /^strategy\s+requests\s+req\/s\s+failed\s+shed\s+checks\s+p50 ms\s+p95 ms\s+p99 ms\s+max ms\s+dropped\s+thresholds$/m);
    assert.match(stdout, /^threads\s+100\s+10\.0\s+0\.0%\s+0\.0%\s+100\.0%\s+5\.5\s+11\.3\s+18\.5\s+30\.2\s+0\s+ok$/m);
    assert.match(stdout, /^processes\s+100\s+10\.0\s+1\.0%\s+0\.0%\s+99\.0%\s+20\.0\s+120\.0\s+412\.3\s+900\.0\s+-\s+FAILED$/m);
    // 9 real thresholds (the track-only ones such as count>=0 are left out), 1 crossed.
    assert.match(stdout, /^thresholds: 8 passed, 1 failed:$/m);
    assert.match(stdout, /^ {2}FAILED http_req_duration\{strategy:processes\} p\(99\)<300 \(actual 412\.345\)$/m);
    assert.match(stdout, /^summary JSON: off \(SUMMARY_JSON=off\)$/m);
  });

  it('by default writes loadtests/results/<script>-summary.json (absolute, whatever the working directory), with the same numbers', () => {
    setK6Env({});
    const output = summaryHandler(OPTIONS)(compareData() as never);
    const path = join(RESULTS, 'compare-summary.json');
    assert.deepEqual(Object.keys(output).sort(), [path, 'stdout'].sort());
    assert.match(output.stdout!, new RegExp(`^summary JSON: ${path.replaceAll('.', '\\.')} \\(k6 writes it after this report\\)$`, 'm'));
    const json = JSON.parse(output[path]!) as { script: string; testRunDurationMs: number; parameters: unknown; strategies: Array<Record<string, unknown>>; thresholds: Array<Record<string, unknown>> };
    assert.equal(json.script, 'compare');
    assert.equal(json.testRunDurationMs, 21_500);
    assert.deepEqual(json.parameters, OPTIONS.parameters);
    assert.deepEqual(json.strategies[0], {
      strategy: 'threads', requests: 100, throughputPerSecond: 10, failedRate: 0, shedRate: 0, checksRate: 1,
      p50Ms: 5.5, p95Ms: 11.25, p99Ms: 18.5, maxMs: 30.2, droppedIterations: 0, thresholdsOk: true,
    });
    assert.equal(json.strategies[1]!.droppedIterations, null);
    assert.equal(json.strategies[1]!.thresholdsOk, false);
    assert.deepEqual(json.thresholds.find((threshold) => threshold.ok === false), { metric: 'http_req_duration{strategy:processes}', expression: 'p(99)<300', ok: false, value: 412.345 });
    assert.equal(json.thresholds.length, 9);
  });

  it('a fresh clone has the results folder k6 writes into (k6 cannot create it), with its contents git-ignored', () => {
    const tracked = execFileSync('git', ['ls-files', '--', 'loadtests/results'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(tracked, ['loadtests/results/.gitignore'], 'the folder is in the repository through its .gitignore');
    const ignored = execFileSync('git', ['check-ignore', '--', 'loadtests/results/smoke-summary.json', 'loadtests/results/compare-summary.json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(ignored.trim().split('\n').length, 2, 'the summaries written there are ignored');
  });

  it('never names a file it cannot write: without the results folder, only stdout, saying why', async () => {
    setK6Env({});
    const dir = await mkdtemp(join(tmpdir(), 'lab-k6-results-'));
    dirs.push(dir);
    const missing = pathToFileURL(join(dir, 'results/')).href;
    const output = summaryHandler({ ...OPTIONS, resultsDirUrl: missing })(compareData() as never);
    assert.deepEqual(Object.keys(output), ['stdout']);
    assert.match(output.stdout!, /^summary JSON: not written: the folder .*results\/ is missing .*set SUMMARY_JSON$/m);

    // The same folder once it exists (with its .gitignore, as in the repository): the file is named and written.
    await writeFile(join(dir, '.gitignore'), '*\n');
    const present = summaryHandler({ ...OPTIONS, resultsDirUrl: pathToFileURL(`${dir}/`).href })(compareData() as never);
    assert.deepEqual(Object.keys(present).sort(), [join(dir, 'compare-summary.json'), 'stdout'].sort());
  });

  it('SUMMARY_JSON names the file as given', () => {
    setK6Env({ SUMMARY_JSON: '/results/compare-summary.json' });
    const output = summaryHandler(OPTIONS)(compareData() as never);
    assert.deepEqual(Object.keys(output).sort(), ['/results/compare-summary.json', 'stdout']);
    assert.match(output.stdout!, /^summary JSON: \/results\/compare-summary\.json \(SUMMARY_JSON; k6 writes it after this report\)$/m);
  });
});

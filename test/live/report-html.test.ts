import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spreadsOf } from '../../src/report/render-report-html.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { waitFor } from '../support/wait-for.ts';
import { contentShare } from './screenshot-content.ts';
import { type HeadlessChromium, startHeadlessChromium } from './headless-chromium.ts';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));

describe('spread of a figure, whatever shape report.json gives it', () => {
  it('reads {median, min, max} objects and arrays of rounds, and finds none in a single-round run', () => {
    assert.deepEqual(spreadsOf({ jobsPerSecond: 10, spread: { jobsPerSecond: { median: 10, min: 9, max: 12, rounds: 3 } } }), [
      { figure: 'spread.jobsPerSecond', median: 10, min: 9, max: 12, rounds: 3 },
    ]);
    const rounds = spreadsOf({ jobsPerSecond: 10, rounds: [{ jobsPerSecond: 9, latencyMs: { p99: 30 } }, { jobsPerSecond: 12, latencyMs: { p99: 20 } }, { jobsPerSecond: 10, latencyMs: { p99: 25 } }] });
    assert.deepEqual(rounds, [
      { figure: 'rounds: jobsPerSecond', median: 10, min: 9, max: 12, rounds: 3 },
      { figure: 'rounds: latencyMs.p99', median: 25, min: 20, max: 30, rounds: 3 },
    ]);
    assert.deepEqual(spreadsOf({ jobsPerSecond: 10, latencyMs: { p50: 1, p90: 2, p99: 3, max: 4, mean: 2 }, errors: {} }), []);
    // Spreads in place of the figures, with the run's round count (and the rounds themselves, not counted twice).
    assert.deepEqual(
      spreadsOf({
        rounds: 3,
        jobsPerSecond: { median: 10, min: 9, max: 12 },
        latencyMs: { p50: { median: 1, min: 1, max: 2 }, p99: { median: null, min: null, max: null } },
        runs: [{ jobsPerSecond: 9 }, { jobsPerSecond: 12 }, { jobsPerSecond: 10 }],
      }),
      [
        { figure: 'jobsPerSecond', median: 10, min: 9, max: 12, rounds: 3 },
        { figure: 'latencyMs.p50', median: 1, min: 1, max: 2, rounds: 3 },
      ],
    );
  });
});

describe('report.html from a short real compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-html-'));
  const out = join(dir, 'report');
  let compare: StartedProcess | undefined;
  let chromium: HeadlessChromium | undefined;

  before(async () => {
    compare = await startProcess(NODE, [
      CLI,
      'compare',
      ...['--duration', '1s', '--warmup', '0.5s', '--scenarios', 'matrix,http', '--strategies', 'async,threads'],
      ...['--concurrency', '1,8', '--workers', '2', '--fit-sample', '2', '--out', out],
    ]);
    const { code } = await compare.exited;
    assert.equal(code, 0, `compare exit code; output:\n${compare.output()}`);
    chromium = await startHeadlessChromium();
  });
  after(async () => {
    await chromium?.close();
    await compare?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('is written beside report.md, report.json and chart.svg, and compare says so', () => {
    assert.ok(existsSync(join(out, 'report.html')));
    assert.match(compare!.output(), /wrote .*report\.md, .*report\.json, .*chart\.svg and .*report\.html/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/, 'nothing loaded from outside the file');
  });

  it('opens from file:// offline, with its tables, the machine and interactive charts', async () => {
    const context = await chromium!.newContext({ viewport: { width: 1280, height: 900 } });
    await context.setOffline(true);
    const page = await context.newPage();
    chromium!.watch(page);
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.locator('#chart[data-rendered="true"]').waitFor({ timeout: 30_000 });
    const bars = page.locator('#chart-view svg .mark-rect path');
    assert.ok((await bars.count()) >= 2, 'a bar per CPU run');
    assert.ok((await page.locator('#chart-view svg .mark-line path').count()) >= 1, 'the http lines');

    // Hovering a bar shows its numbers (vega's tooltip handler puts them in the title).
    await bars.first().hover();
    await bars.nth(1).hover();
    const tooltip = await waitFor(
      () => page.evaluate<string | null>("document.querySelector('#chart-view[title], #chart-view [title]')?.getAttribute('title') || null"),
      { description: 'a tooltip after hovering a bar', timeoutMs: 5_000 },
    );
    assert.match(tooltip, /jobsPerSecond: \d/);

    const text = (await page.locator('main').textContent()) ?? '';
    for (const expected of ["The talk's table, for Node", 'Where Node differs from the talk', 'CPU-bound runs', 'http runs', 'The machine', 'Spread']) assert.ok(text.includes(expected), expected);
    assert.ok(await page.locator('caption', { hasText: 'CPU-bound runs' }).count());
    assert.ok((await page.locator('th[scope="row"]').count()) > 4);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { machine: { cpuModel: string } };
    assert.ok(text.includes(report.machine.cpuModel), 'the machine is named');

    const screenshot = await page.screenshot({ path: `${DOCS}report-html.png`, fullPage: false });
    const share = await contentShare(screenshot);
    assert.ok(share > 0.02, `the screenshot has content (${(share * 100).toFixed(1)}% of pixels)`);
    await context.close();
    assert.deepEqual(chromium!.errors, [], 'no console errors');
    assert.deepEqual(chromium!.blocked, [], 'no request left the file');
  });
});

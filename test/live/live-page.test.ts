import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STRATEGY_COMPARISON_UID } from '../../grafana/src/strategy-comparison.ts';
import { GRAFANA_HOME_DASHBOARD_UID } from '../../src/http/routes/page.ts';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';
import { contentShare } from './screenshot-content.ts';
import { type HeadlessChromium, startHeadlessChromium } from './headless-chromium.ts';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const GRAFANA = 'http://127.0.0.1:3000';

interface StatusCell {
  scenario: string;
  strategy: string;
  endedAt: string;
  jobsPerSecond: number;
  latencyMs: { p50: number | null; p99: number | null };
  coresUsed: number;
  eventLoopDelayP99Ms: number | null;
  memoryBytes: number;
  errors: Record<string, number>;
  verdict: { limit: string; evidence: string } | null;
}

interface Status {
  cells: StatusCell[];
}

/** What a scoreboard row shows: the raw values the page was given (data-value) and the text it printed for them. */
interface ShownRow {
  scenario: string;
  strategy: string;
  endedAt: string | null;
  limit: string | null;
  values: Record<string, { raw: string; text: string }>;
}

let daemon: LabDaemon | undefined;
let chromium: HeadlessChromium | undefined;

async function status(): Promise<Status> {
  const response = await fetch(`${daemon!.url}/api/v1/status`);
  return (await response.json()) as Status;
}

/** Whether `text` is `value` rounded to the decimals the text shows. */
function shows(text: string, value: number): boolean {
  const decimals = text.split('.')[1]?.length ?? 0;
  return Math.abs(Number(text) - value) <= 0.5 * 10 ** -decimals + 1e-9;
}

before(async () => {
  daemon = await startLabDaemon({
    LAB_ROTATE_SECONDS: '2',
    LAB_SCENARIOS: 'matrix,http',
    LAB_STRATEGIES: 'async,threads',
    LAB_WORKERS: '2',
    LAB_SIZES: 'matrix=60',
    LAB_GRAFANA_URL: GRAFANA,
    OTEL_TRACES_SAMPLER: 'always_off',
  });
  chromium = await startHeadlessChromium();
});

after(async () => {
  await chromium?.close();
  await daemon?.stop();
});

test('the Grafana link points at the home dashboard the bundle generates', () => {
  assert.equal(GRAFANA_HOME_DASHBOARD_UID, STRATEGY_COMPARISON_UID);
});

test("the startup message prints the page's URL", () => {
  assert.ok(daemon!.output().includes(`live page: open ${daemon!.url}/ in a browser`), daemon!.output());
});

test('GET /api/v1/live answers the samples after since, one a second, and refuses a bad since', async () => {
  type Live = { seq: number; intervalMs: number; samples: { seq: number; t: number; cells: { scenario: string; strategy: string; jobsPerSecond: number }[] }[] };
  const all = await waitFor(
    async () => {
      const live = (await (await fetch(`${daemon!.url}/api/v1/live`)).json()) as Live;
      return live.samples.filter((sample) => sample.cells.length > 0).length >= 3 && live;
    },
    { description: 'three samples with jobs in the feed', timeoutMs: 90_000, intervalMs: 500 },
  );
  assert.equal(all.intervalMs, 1000);
  assert.ok(all.samples.length > 0 && all.samples.at(-1)!.seq === all.seq);
  assert.ok(all.samples.every((sample, index) => index === 0 || (sample.seq === all.samples[index - 1]!.seq + 1 && sample.t > all.samples[index - 1]!.t)));
  assert.ok(all.samples.some((sample) => sample.cells.some((cell) => cell.jobsPerSecond > 0)), 'the driver\'s jobs are counted');
  const since = all.seq - 2;
  const later = (await (await fetch(`${daemon!.url}/api/v1/live?since=${since}`)).json()) as { samples: { seq: number }[] };
  assert.ok(later.samples.length >= 2 && later.samples.every((sample) => sample.seq > since));
  const bad = await fetch(`${daemon!.url}/api/v1/live?since=-1`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { code: string }).code, 'LAB_ERR_PARAM_INVALID');
});

test('the live page shows every visited cell as /api/v1/status has it, its charts gain points, nothing leaves 127.0.0.1', async () => {
  // Every cell of the cycle has closed a window (4 cells × (1 s settle + 2 s) plus drains).
  await waitFor(async () => (await status()).cells.length === 4, { description: 'all four cells measured', timeoutMs: 120_000, intervalMs: 500 });

  const context = await chromium!.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  chromium!.watch(page);
  await page.goto(`${daemon!.url}/`);
  await page.locator('#scoreboards table').first().waitFor();

  // The page and the API agree on every cell: read both until the page shows the windows the API has (it polls every 2 s).
  await waitFor(
    async () => {
      const shown: ShownRow[] = await page.$$eval('#scoreboards tbody tr', (rows) =>
        rows.map((row) => ({
          scenario: row.getAttribute('data-scenario')!,
          strategy: row.getAttribute('data-strategy')!,
          endedAt: row.getAttribute('data-ended-at'),
          limit: row.querySelector('td[data-limit]')?.getAttribute('data-limit') ?? null,
          values: Object.fromEntries([...row.querySelectorAll('td[data-field]')].map((td) => [td.getAttribute('data-field')!, { raw: td.getAttribute('data-value')!, text: td.textContent! }])),
        })),
      );
      const { cells } = await status();
      for (const cell of cells) {
        const row = shown.find((candidate) => candidate.scenario === cell.scenario && candidate.strategy === cell.strategy);
        if (row === undefined || row.endedAt !== cell.endedAt) return false;
        assert.equal(row.limit, cell.verdict?.limit ?? null, `${cell.scenario}/${cell.strategy} shows its verdict`);
        const expected: Record<string, number | null> = {
          jobsPerSecond: cell.jobsPerSecond,
          p50: cell.latencyMs.p50,
          p99: cell.latencyMs.p99,
          coresUsed: cell.coresUsed,
          eventLoopDelayP99Ms: cell.eventLoopDelayP99Ms,
          memoryMiB: cell.memoryBytes,
          errors: Object.values(cell.errors).reduce((sum, count) => sum + count, 0),
        };
        for (const [field, value] of Object.entries(expected)) {
          const shownValue: { raw: string; text: string } | undefined = row.values[field];
          assert.ok(shownValue !== undefined, `${cell.scenario}/${cell.strategy} shows ${field}`);
          const raw: string = shownValue.raw;
          const text: string = shownValue.text;
          assert.equal(raw, String(value), `${cell.scenario}/${cell.strategy} ${field}`);
          if (value !== null) assert.ok(shows(text, field === 'memoryMiB' ? value / 1048576 : value), `${cell.scenario}/${cell.strategy} ${field}: "${text}" for ${value}`);
        }
      }
      return cells.length === 4;
    },
    { description: 'the scoreboard showing the windows /api/v1/status has', timeoutMs: 30_000, intervalMs: 250 },
  );

  // The running cell is marked in text, not only by colour.
  const active = page.locator('#scoreboards tr[aria-current="true"]');
  await active.first().waitFor();
  assert.match((await active.first().locator('th').textContent()) ?? '', /▶ running/);
  assert.match((await page.locator('#now').textContent()) ?? '', /Mode: isolated\. Running (matrix|http) under (async|threads)/);

  // The live chart gains points while the page is open.
  const points = async (): Promise<number> => Number(await page.locator('#chart-throughput').getAttribute('data-points'));
  const before = await waitFor(async () => (await points()) > 0 && points(), { description: 'first live points', timeoutMs: 20_000 });
  await waitFor(async () => (await points()) >= before + 3, { description: `the chart growing from ${before} points`, timeoutMs: 20_000 });
  assert.ok((await page.locator('#chart-throughput canvas').count()) > 0, 'uPlot drew a canvas');

  // Links, and the faults panel: this daemon has the faults API, so the page shows the active faults.
  assert.equal(await page.locator('a', { hasText: 'Grafana dashboard' }).getAttribute('href'), `${GRAFANA}/d/${STRATEGY_COMPARISON_UID}`);
  assert.equal(await page.locator('a[href="/metrics"]').count(), 1);
  assert.equal(await page.locator('a[href="/api/v1/status"]').count(), 1);
  await waitFor(async () => !(await page.locator('#faults').isHidden()), { description: 'the faults panel', timeoutMs: 10_000 });
  assert.match((await page.locator('#faults').textContent()) ?? '', /upstream/, 'the active faults as GET /api/v1/faults has them');

  // The talk's table has the measured rows.
  assert.match((await page.locator('#talk-table').textContent()) ?? '', /cores used \(Node, measured\).*up to \d+\.\d\d/s);

  const screenshot = await page.screenshot({ path: `${DOCS}live-page.png` });
  const share = await contentShare(screenshot);
  assert.ok(share > 0.02, `the 1280×800 screenshot has content (${(share * 100).toFixed(1)}% of pixels)`);

  // A phone: nothing wider than the screen (wide tables scroll inside their own region).
  await page.setViewportSize({ width: 375, height: 800 });
  await waitFor(async () => (await page.evaluate<number>('document.documentElement.scrollWidth')) <= 375, { description: 'no horizontal page scroll at 375 px', timeoutMs: 5_000 });
  const phone = await page.screenshot({ path: `${DOCS}live-page-375.png` });
  assert.ok((await contentShare(phone)) > 0.02, 'the 375 px screenshot has content');

  // Keyboard (after the screenshots, so the focused skip link is not in them): the first Tab lands on the skip link.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Skip to the scoreboard');

  // Dark mode follows prefers-color-scheme.
  const light = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.notEqual(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), light);

  await context.close();
  assert.deepEqual(chromium!.errors, [], 'no console errors');
  assert.deepEqual(chromium!.blocked, [], 'no request left 127.0.0.1');
  assert.ok(chromium!.requests.some((url) => url.endsWith('/static/uPlot.esm.js')), 'uPlot came from the daemon');
  assert.ok(chromium!.requests.some((url) => url.includes('/api/v1/live?since=')), 'the page polled the live feed');
});

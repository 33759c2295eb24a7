import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type LabDaemon, startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';
import { type HeadlessChromium, startHeadlessChromium } from './headless-chromium.ts';

let daemon: LabDaemon | undefined;
let chromium: HeadlessChromium | undefined;

interface FaultStatus {
  preset: string | null;
  active: string[];
}

async function faults(): Promise<FaultStatus> {
  return (await (await fetch(`${daemon!.url}/api/v1/faults`)).json()) as FaultStatus;
}

/** Presses Tab until the focused element matches `selector` (at most 80 presses), as a keyboard user would. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let presses = 0; presses < 80; presses++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  assert.fail(`Tab never reached ${selector}`);
}

before(async () => {
  // The embedded upstream gives application faults; no Toxiproxy, so the network presets are unavailable.
  daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_SCENARIOS: 'http', OTEL_TRACES_SAMPLER: 'always_off' });
  chromium = await startHeadlessChromium();
});

after(async () => {
  await chromium?.close();
  await daemon?.stop();
});

test('GET /api/v1/faults/presets lists every preset with what it switches on and needs', async () => {
  const { presets } = (await (await fetch(`${daemon!.url}/api/v1/faults/presets`)).json()) as { presets: Array<{ name: string; faults: string[]; needs: string[] }> };
  assert.deepEqual(
    presets.map((preset) => `${preset.name}:${preset.faults.join('+')}:${preset.needs.join('+')}`),
    ['none::', 'slow-tail:upstream_slow:upstream', 'flaky:upstream_error:upstream', 'resets:reset_peer:network', 'upstream-down:down:network'],
  );
});

test('the live page switches fault presets on and off from the keyboard, and shows the active set', async () => {
  const context = await chromium!.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  chromium!.watch(page);
  await page.goto(`${daemon!.url}/`);
  await page.locator('#faults').waitFor({ state: 'visible', timeout: 15_000 });
  assert.match((await page.locator('#faults-active').textContent()) ?? '', /^Active: none \(preset none\)\.$/);

  // One radio button per preset; the network presets are shown but cannot be picked without Toxiproxy, and say why.
  const radios = page.locator('#faults-presets input[type="radio"]');
  assert.equal(await radios.count(), 5);
  for (const name of ['resets', 'upstream-down']) {
    assert.equal(await page.locator(`#preset-${name}`).isDisabled(), true, `${name} is unavailable`);
    assert.match((await page.locator(`label[for="preset-${name}"]`).textContent()) ?? '', /needs Toxiproxy: LAB_TOXIPROXY_URL/);
  }
  assert.equal(await page.locator('#preset-none').isChecked(), true, 'the active preset is checked');

  // Keyboard only: Tab into the radio group (it lands on the checked one), arrows pick flaky, Tab to Apply, Enter.
  await tabTo(page, 'input[name="preset"]');
  assert.equal(await page.evaluate<string>('document.activeElement?.value'), 'none');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#preset-flaky').isChecked(), true, 'two arrows down from none is flaky');
  await tabTo(page, '#faults-apply');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await faults()).preset === 'flaky', { description: 'the daemon to have the flaky preset', timeoutMs: 10_000 });
  assert.deepEqual((await faults()).active, ['upstream_error']);
  await waitFor(async () => (await page.locator('#faults-active').textContent()) === 'Active: upstream_error (preset flaky).', { description: 'the page to show the active set', timeoutMs: 5_000 });
  assert.equal(await page.locator('#faults-message').textContent(), 'Preset flaky applied.');

  // The flaky upstream is really on: some http jobs fail with the upstream's 500.
  const statuses = await Promise.all(Array.from({ length: 60 }, async () => (await fetch(`${daemon!.url}/api/v1/jobs/http?strategy=async`, { method: 'POST' })).status));
  assert.ok(statuses.includes(502) && statuses.includes(200), `job statuses under flaky: ${statuses.join(',')}`);

  // Switch everything off: Tab to the button, Space.
  await tabTo(page, '#faults-off');
  await page.keyboard.press(' ');
  await waitFor(async () => (await faults()).preset === 'none', { description: 'every fault off', timeoutMs: 10_000 });
  assert.deepEqual((await faults()).active, []);
  await waitFor(async () => (await page.locator('#faults-active').textContent()) === 'Active: none (preset none).', { description: 'the page to show no faults', timeoutMs: 5_000 });
  assert.equal(await page.locator('#faults-message').textContent(), 'Every fault is off.');

  // A change made elsewhere (curl) shows on the page at its next poll (every 10 s).
  await fetch(`${daemon!.url}/api/v1/faults`, { method: 'PUT', body: JSON.stringify({ preset: 'slow-tail' }) });
  await page.locator('#faults-off').blur();
  await waitFor(async () => (await page.locator('#faults-active').textContent()) === 'Active: upstream_slow (preset slow-tail).', { description: 'the page to follow a change made with curl', timeoutMs: 15_000, intervalMs: 250 });
  assert.equal(await page.locator('#preset-slow-tail').isChecked(), true);

  await context.close();
  assert.deepEqual(chromium!.errors, [], 'no console errors');
  assert.deepEqual(chromium!.blocked, [], 'no request left 127.0.0.1');
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startProcess, type StartedProcess } from '../support/started-process.ts';
import { resolveTool } from '../support/tools.ts';

/** Flags that keep Chromium from calling home on its own (updates, sync, field trials), headless without a GPU. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-default-apps',
  '--disable-extensions',
  '--metrics-recording-only',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
];

export interface HeadlessChromium {
  readonly browser: Browser;
  readonly process: StartedProcess;
  /** A new context whose every request is checked: anything not on 127.0.0.1 (or file://) is recorded in `blocked` and aborted. */
  newContext(options?: Parameters<Browser['newContext']>[0]): Promise<BrowserContext>;
  /** Every request the pages asked for, as URLs. */
  readonly requests: string[];
  /** Requests that would have left 127.0.0.1 (aborted). */
  readonly blocked: string[];
  /** Console errors and uncaught page errors, with the page's URL. */
  readonly errors: string[];
  /** Wires console and page-error recording into a page. */
  watch(page: Page): void;
  /** Closes the connection, stops the Chromium process by pid and removes its profile. */
  close(): Promise<void>;
}

function isLocal(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol === 'file:' || parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') return true;
  return parsed.hostname === '127.0.0.1';
}

/**
 * Debian's Chromium (via resolveTool), started by the test itself with a fresh profile
 * (--user-data-dir in a temp dir) and driven by playwright-core over CDP, so the test owns
 * the process and stops it by pid.
 */
export async function startHeadlessChromium(): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'lab-chromium-'));
  let started: StartedProcess | undefined;
  let browser: Browser | undefined;
  try {
    started = await startProcess(resolveTool('chromium'), [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, 'about:blank'], {
      readyLine: /DevTools listening on (ws:\/\/\S+)/,
      readyTimeoutMs: 60_000,
    });
    browser = await chromium.connectOverCDP(started.ready![1]!);
  } catch (error) {
    await started?.stop('SIGKILL');
    // Chromium's helper processes may still write into the profile for a moment after it exits.
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    throw error;
  }
  const requests: string[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  const chromiumProcess = started;
  const connected = browser;
  return {
    browser: connected,
    process: chromiumProcess,
    requests,
    blocked,
    errors,
    async newContext(options) {
      const context = await connected.newContext(options);
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (isLocal(url)) await route.continue();
        else {
          if (!blocked.includes(url)) blocked.push(url);
          await route.abort('blockedbyclient');
        }
      });
      return context;
    },
    watch(page) {
      // Every request the page makes, also those routing does not see (file://, a service worker's).
      page.on('request', (request) => {
        requests.push(request.url());
        if (!isLocal(request.url()) && !blocked.includes(request.url())) blocked.push(request.url());
      });
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`${page.url()}: console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.stack ?? error.message}`));
    },
    async close() {
      await connected.close().catch(() => {});
      await chromiumProcess.stop('SIGTERM', 5_000);
      // Chromium's helper processes may still write into the profile for a moment after it exits.
      await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

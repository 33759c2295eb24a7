import { Pool } from 'undici';
import { type LabDaemon, startLabDaemon } from '../test/support/lab-daemon.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { ApiLoad } from './api-load.ts';
import { atLeast, type Benchmark, type Measurement } from './benchmark.ts';
import { interleavedRounds, median, medianRatio } from './interleaved-rounds.ts';

const VARIANTS = ['page', 'none'] as const;
type Variant = (typeof VARIANTS)[number];

const COMBINATIONS = [
  { scenario: 'matrix', strategy: 'threads', size: 200 },
  { scenario: 'http', strategy: 'async', size: 1024 },
] as const;

/** What GET / does while it is open (src/http/static/live-page.js): the feed every second, status every 2 s. */
class PagePoller {
  readonly #pool: Pool;
  #seq = 0;
  #timers: NodeJS.Timeout[] = [];
  #failure: Error | undefined;
  requests = 0;

  constructor(baseUrl: string) {
    this.#pool = new Pool(baseUrl, { connections: 2 });
  }

  async #get(path: string): Promise<unknown> {
    const response = await this.#pool.request({ path, method: 'GET' });
    const body = await response.body.json();
    if (response.statusCode !== 200) throw new Error(`GET ${path} answered ${response.statusCode}`);
    this.requests++;
    return body;
  }

  start(): void {
    const live = async (): Promise<void> => {
      const body = (await this.#get(`/api/v1/live?since=${this.#seq}`)) as { seq: number };
      this.#seq = body.seq;
    };
    const status = async (): Promise<void> => void (await this.#get('/api/v1/status'));
    const guard = (poll: () => Promise<void>) => () => void poll().catch((error: Error) => (this.#failure ??= error));
    void guard(live)();
    void guard(status)();
    this.#timers = [setInterval(guard(live), 1_000), setInterval(guard(status), 2_000)];
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    if (this.#failure !== undefined) throw this.#failure;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/**
 * Issue 15: what an open live page costs the daemon. One daemon (API only, so the load is the
 * same closed loop in both variants); each round measures its throughput with a poller doing
 * what the page does (GET /api/v1/live every second, /api/v1/status every 2 s) and without,
 * in alternating order. The page's own rendering runs in the browser, not in the daemon, so a
 * Node poller stands in for it.
 */
export const liveBench: Benchmark = {
  name: 'live',
  description: 'live page: daemon throughput with the page\'s feed and status polling ÷ without, matrix on threads and http on async (target ≥ 0.98)',
  async run(context) {
    const workers = context.cores;
    const rounds = context.quick ? 2 : 5;
    const durationMs = context.quick ? 1_000 : 4_000;
    let daemon: LabDaemon | undefined;
    let load: ApiLoad | undefined;
    let poller: PagePoller | undefined;
    try {
      daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async,threads', LAB_WORKERS: String(workers), LAB_UPSTREAM_JITTER_MS: '0', LAB_QUEUE_LIMIT: '1000', OTEL_SDK_DISABLED: 'true' });
      const url = daemon.url;
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { description: 'the daemon to be ready', timeoutMs: 60_000 });
      load = new ApiLoad(url, 64);
      poller = new PagePoller(url);
      const measurements: Measurement[] = [];
      for (const { scenario, strategy, size } of COMBINATIONS) {
        const concurrency = scenario === 'http' ? 64 : 2 * workers;
        context.log(`live: ${scenario} on ${strategy}, ${concurrency} in flight, ${rounds} rounds × ${VARIANTS.length} variants × ${durationMs} ms`);
        await load.run({ scenario, strategy, size, concurrency, durationMs: 500 });
        const runs = await interleavedRounds(VARIANTS, rounds, async (variant: Variant) => {
          if (variant === 'page') poller!.start();
          const startedAt = performance.now();
          const ok = await load!.run({ scenario, strategy, size, concurrency, durationMs });
          const seconds = (performance.now() - startedAt) / 1000;
          if (variant === 'page') poller!.stop();
          return ok / seconds;
        });
        const ratio = medianRatio(runs.page, runs.none);
        measurements.push({
          name: `${scenario} ${strategy} page open ÷ none`,
          value: ratio,
          unit: '×',
          target: atLeast(ratio, 0.98, '≤ 2% lost'),
          detail: { concurrency, jobsPerSecond: { page: median(runs.page), none: median(runs.none) }, perRound: runs },
        });
      }
      context.log(`live: the poller made ${poller.requests} requests`);
      return measurements;
    } finally {
      await poller?.close();
      await load?.close();
      await daemon?.stop();
    }
  },
};

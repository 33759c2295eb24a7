// The bundle's queries against real data: a real daemon (with its driver rotating through every
// strategy, and a small queue), a real upstream and real request load from vegeta (jobs for
// every strategy, plus a flood that overflows the threads queue so that jobs are shed) feed a
// real Prometheus that runs the bundle's prometheus.yml (targets moved to loopback) with its rule
// files. The k6 dashboard's series are written to that Prometheus by the test itself, in k6's
// remote-write naming, from the requests vegeta really sent (fixtures/k6-series.ts; k6 is not
// run in this project). Then every PromQL expression of every dashboard, with its template
// variables filled in, and every rule must return data. An expression naming a metric nobody
// exports fails here.
//
// The suite takes the daemon's driver mode as a parameter; it runs driver-on (a driver-off run
// is to be added with `promqlLiveSuite({ driver: 'off' })` once the daemon supports it).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { generateDashboards } from '../../grafana/src/generate.ts';
import { NEEDS_DRIVER_COMMENT } from '../../grafana/src/promql.ts';
import { CLI, type LabDaemon, NODE, startLabDaemon } from '../support/lab-daemon.ts';
import type { PrometheusSeries } from '../support/prometheus-client.ts';
import { type RunningPrometheus, startPrometheus } from '../support/start-prometheus.ts';
import { remoteWrite } from '../support/remote-write.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { attack, type AttackResult } from '../support/vegeta.ts';
import { waitFor } from '../support/wait-for.ts';
import { k6SeriesFor } from './fixtures/k6-series.ts';
import { type DashboardJson, dashboardQueries } from './dashboard-queries.ts';
import { fillTemplateVariables, labelValuesAsPromQL, type TemplateValues } from './template-variables.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'];
/** Each cell's window: 16 cells (with settling and draining) take about a minute. */
const ROTATE_SECONDS = 2;
const RUN_DEADLINE_MS = 180_000;
/** The driver's per-cell gauges exist only while the driver runs; with it off these panels are empty by design (their descriptions say so). */
const needsDriver = (expr: string): boolean => expr.includes('lab_cell_') || expr.includes(NEEDS_DRIVER_COMMENT);

/** Rules whose expression in prometheus/rules/ carries the comment (Prometheus hands back expressions without comments). */
async function rulesNeedingTheDriver(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const file of (await readdir(join(ROOT, 'prometheus/rules'))).filter((name) => name.endsWith('.yml'))) {
    const { groups } = parse(await readFile(join(ROOT, 'prometheus/rules', file), 'utf8')) as { groups: Array<{ rules: Array<{ record?: string; alert?: string; expr: string }> }> };
    for (const rule of groups.flatMap((group) => group.rules)) if (needsDriver(rule.expr)) names.add(rule.record ?? rule.alert ?? '');
  }
  return names;
}

/** The template variables as a user picks them: one scenario, one strategy, the daemon's process. */
const VARIABLES = { scenario: 'matrix', strategy: 'threads', job: 'lab', __rate_interval: '1m', __interval: '1s' } as const;

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>;
}

/**
 * prometheus/prometheus.yml as the test runs it: 1 s scrapes and rule evaluations, rule files by
 * absolute path, and the lab and upstream jobs pointed at the processes started here. The
 * collector, Tempo and Prometheus itself are not running here, so their jobs are left out.
 */
async function bundleConfigFor(targets: Readonly<Record<string, string>>): Promise<PrometheusConfig> {
  const config = parse(await readFile(join(ROOT, 'prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
  const jobs = config.scrape_configs.map((scrape) => scrape.job_name);
  for (const job of Object.keys(targets)) assert.ok(jobs.includes(job), `prometheus.yml has a scrape job named ${job} (the dashboards select on it): ${jobs.join(', ')}`);
  return {
    ...config,
    global: { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: (config.rule_files ?? []).map((pattern) => join(ROOT, 'prometheus', pattern)),
    scrape_configs: config.scrape_configs
      .filter((scrape) => targets[scrape.job_name] !== undefined)
      .map((scrape) => ({ ...scrape, static_configs: [{ targets: [targets[scrape.job_name]!] }] })),
  };
}

function hasFiniteSample(result: readonly PrometheusSeries[]): boolean {
  return result.some((series) => series.values.some(([, value]) => Number.isFinite(value)));
}

/** An alert's expression returns data only while it fires: judge the expression under its final threshold. */
function withoutFinalThreshold(expr: string): string {
  return expr.replace(/\s*(?:>=|<=|==|!=|>|<)\s*-?[\d.]+\s*$/, '');
}

/** How the suite runs the daemon. */
interface SuiteOptions {
  /** `on`: the daemon's driver rotates through every strategy besides the test's load. */
  readonly driver: 'on' | 'off';
}

/** The load, sent by vegeta (open loop, bounded): what the k6 fixture script used to send. */
const LOAD = {
  /** http jobs for every strategy (round-robin, 5/s each) all the while. */
  perStrategy: { scenario: 'http', size: 1024, ratePerSecond: 20, durationMs: 10_000 },
  /**
   * A burst of matrix jobs for threads from 2 s on: 100 in half a second against 2 slots and 4
   * queued, with jobs of about 10 ms even on a fast machine, so most are shed at once (503).
   */
  flood: { scenario: 'matrix', strategy: 'threads', size: 200, ratePerSecond: 200, durationMs: 500, afterMs: 2_000 },
} as const;

function promqlLiveSuite(options: SuiteOptions): void {
  describe(`every dashboard and rule query returns data from a real run (driver ${options.driver})`, { timeout: 360_000 }, () => {
    let upstream: StartedProcess | undefined;
    let daemon: LabDaemon | undefined;
    let prometheus: RunningPrometheus | undefined;
    let load: { perStrategy: AttackResult; flood: AttackResult } | undefined;
    let startSeconds = 0;
    let endSeconds = 0;

    before(async () => {
      upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0'], { readyLine: /upstream listening on http:\/\/(\S+)/ });
      daemon = await startLabDaemon({
        LAB_DRIVER: options.driver,
        LAB_UPSTREAM_URL: `http://${upstream.ready![1]!}`,
        LAB_ROTATE_SECONDS: String(ROTATE_SECONDS),
        LAB_WORKERS: '2',
        LAB_SIZES: 'thumbnail=320,matrix=60,array=100000,http=1024',
        // One lane per scenario fits every strategy's slots and queue: the driver alone sheds
        // nothing (a shedding driver starves all scenarios but one), the flood does.
        LAB_CONCURRENCY: '1',
        LAB_QUEUE_LIMIT: '4',
        // A harmless fault, so the fault annotations have data: 1 % of calls 10 × slower.
        LAB_UPSTREAM_SLOW_RATE: '0.01',
        LAB_UPSTREAM_SLOW_FACTOR: '10',
      });
      startSeconds = Date.now() / 1000;
      prometheus = await startPrometheus({
        config: await bundleConfigFor({ lab: new URL(daemon.url).host, upstream: upstream.ready![1]! }),
      });
      const client = prometheus.client;
      await waitFor(async () => (await client.targets()).every((target) => target.health === 'up') && (await client.targets()).length === 2, {
        description: 'Prometheus to scrape the daemon and the upstream',
        timeoutMs: 20_000,
      });
      const { perStrategy, flood } = LOAD;
      const url = daemon.url;
      // Bodies are kept so that the k6 checks (the job ran as requested) are judged on the real answers.
      const [perStrategyResult, floodResult] = await Promise.all([
        attack({
          // With the driver off this is all the load there is: matrix jobs too, so the panels of
          // the scenario under view have data over the whole run.
          targets: STRATEGIES.flatMap((strategy) => [
            { method: 'POST', url: `${url}/api/v1/jobs/${perStrategy.scenario}?strategy=${strategy}&size=${perStrategy.size}` } as const,
            ...(options.driver === 'off' ? [{ method: 'POST', url: `${url}/api/v1/jobs/matrix?strategy=${strategy}&size=60` } as const] : []),
          ]),
          ratePerSecond: perStrategy.ratePerSecond,
          durationMs: perStrategy.durationMs,
          timeoutMs: 30_000,
          maxBodyBytes: 4096,
        }),
        sleep(flood.afterMs).then(() =>
          attack({
            targets: [{ method: 'POST', url: `${url}/api/v1/jobs/${flood.scenario}?strategy=${flood.strategy}&size=${flood.size}` }],
            ratePerSecond: flood.ratePerSecond,
            durationMs: flood.durationMs,
            timeoutMs: 30_000,
            maxBodyBytes: 4096,
          }),
        ),
      ]);
      load = { perStrategy: perStrategyResult, flood: floodResult };
      assert.ok((floodResult.statusCodes[503] ?? 0) > 0, `the flood overflowed the threads queue: ${JSON.stringify(floodResult.statusCodes)} ${floodResult.errors.join('; ')}`);
      assert.deepEqual(
        Object.keys(floodResult.statusCodes).filter((code) => code !== '200' && code !== '503'),
        [],
        `the flood's answers are 200 or 503: ${JSON.stringify(floodResult.statusCodes)} ${floodResult.errors.join('; ')}`,
      );
      // The driver's own jobs share the small queues, so a per-strategy job may be shed too.
      assert.deepEqual(
        Object.keys(perStrategyResult.statusCodes).filter((code) => code !== '200' && code !== '503'),
        [],
        `the http jobs' answers are 200 or 503: ${JSON.stringify(perStrategyResult.statusCodes)} ${perStrategyResult.errors.join('; ')}`,
      );
      for (const strategy of STRATEGIES) {
        const ran = perStrategyResult.hits.filter((hit) => hit.code === 200 && hit.url.includes(`strategy=${strategy}&`)).length;
        assert.ok(ran > 0, `some http jobs ran on ${strategy}`);
      }

      // k6's side, in k6's remote-write naming: one scenario per strategy, and the flood (whose
      // 503s are expected, as in loadtests/stress.ts).
      const byStrategy = (strategy: string) => perStrategyResult.hits.filter((hit) => new URL(hit.url).searchParams.get('strategy') === strategy);
      await remoteWrite(
        prometheus.remoteWriteUrl,
        k6SeriesFor([
          ...STRATEGIES.map((strategy) => ({ scenario: strategy, hits: byStrategy(strategy), expectedStatuses: [200], shedIsExpected: false })),
          { scenario: 'flood', hits: floodResult.hits, expectedStatuses: [200, 503], shedIsExpected: true },
        ]),
      );

      if (options.driver === 'on') {
        // A full cycle: every cell has had a window, so every lab_cell_* gauge exists, and every
        // strategy was active long enough to be in every range query.
        await waitFor(async () => ((await (await fetch(`${url}/api/v1/status`)).json()) as { rotation: { cycle: { completed: number } } }).rotation.cycle.completed >= 1, {
          description: 'a full cycle of the driver',
          timeoutMs: RUN_DEADLINE_MS,
          intervalMs: 1_000,
        });
        const activeStrategies = 'count(sum_over_time((max by (strategy) (lab_strategy_active) == 1)[5m:1s]) >= 3)';
        await waitFor(async () => (await client.query(activeStrategies))[0]?.values[0]?.[1] === STRATEGIES.length, {
          description: 'every strategy to have been active for 3 s in Prometheus',
          timeoutMs: 30_000,
          intervalMs: 1_000,
        });
      }
      // The rules have evaluated the remote-written k6 series (their rate() needs two rule runs).
      await waitFor(async () => (await client.query('count(max_over_time(k6:http_reqs:rate1m[10m]))'))[0]?.values[0]?.[1] === STRATEGIES.length, {
        description: "the k6 recording rules to have evaluated every strategy's and the flood's series",
        timeoutMs: 30_000,
        intervalMs: 1_000,
      });
      // Range queries step by 1 s from the start: their last step can fall up to 1 s before the
      // end, so the end is taken after two more rule evaluations.
      await sleep(2_000);
      endSeconds = Date.now() / 1000;
    });

    after(async () => {
      await prometheus?.stop();
      await daemon?.stop();
      await upstream?.stop();
    });

    function templateValues(): TemplateValues {
      const rangeSeconds = Math.ceil(endSeconds - startSeconds);
      return { ...VARIABLES, __range: `${rangeSeconds}s`, __range_s: String(rangeSeconds), __range_ms: String(rangeSeconds * 1000) };
    }

    for (const [file, text] of generateDashboards()) {
      it(`grafana/dashboards/${file}: every panel, annotation and variable query has data`, async () => {
        const client = prometheus!.client;
        const values = templateValues();
        const empty: string[] = [];
        for (const query of dashboardQueries(JSON.parse(text) as DashboardJson)) {
          if (query.kind === 'variable') {
            const { expr, label } = labelValuesAsPromQL(query.expr);
            const result = await client.query(fillTemplateVariables(expr, values), endSeconds);
            if (!result.some((series) => (series.metric[label] ?? '') !== '')) empty.push(`${query.where}: ${query.expr}`);
            continue;
          }
          if (options.driver === 'off' && needsDriver(query.expr)) continue;
          const expr = fillTemplateVariables(query.expr, values);
          const result = query.kind === 'instant' ? await client.query(expr, endSeconds) : await client.queryRange(expr, startSeconds, endSeconds, 1);
          if (!hasFiniteSample(result)) empty.push(`${query.where}: ${expr}`);
        }
        assert.deepEqual(empty, [], `queries without data in ${file}`);
      });
    }

    it('latency panels that show exemplars get trace_id exemplars', async () => {
      const client = prometheus!.client;
      const values = templateValues();
      const exemplarQueries = [...generateDashboards().values()].flatMap((text) => dashboardQueries(JSON.parse(text) as DashboardJson)).filter((query) => query.exemplar);
      assert.ok(exemplarQueries.length > 0, 'the dashboards show exemplars somewhere');
      for (const query of exemplarQueries) {
        const found = await client.exemplars(fillTemplateVariables(query.expr, values), startSeconds, endSeconds);
        const traceIds = found.flatMap((entry) => entry.exemplars.map((exemplar) => exemplar.labels.trace_id ?? ''));
        assert.ok(traceIds.some((id) => /^[0-9a-f]{32}$/.test(id)), `${query.dashboard} ${query.where}: no trace_id exemplar (${JSON.stringify(found).slice(0, 300)})`);
      }
    });

    it("the k6 series written in k6's naming count the requests vegeta sent", async () => {
      const client = prometheus!.client;
      const requests = await client.query('sum by (strategy) (k6_http_reqs_total)', endSeconds);
      const byStrategy = Object.fromEntries(requests.map((series) => [series.metric.strategy, series.values[0]![1]]));
      const sent: Record<string, number> = {};
      for (const hit of [...load!.perStrategy.hits, ...load!.flood.hits]) {
        const strategy = new URL(hit.url).searchParams.get('strategy')!;
        sent[strategy] = (sent[strategy] ?? 0) + 1;
      }
      assert.deepEqual(byStrategy, sent);
      const shed = await client.query('max by (strategy) (k6_shed_rate{scenario="flood"})', endSeconds);
      assert.equal(shed[0]?.values[0]?.[1], (load!.flood.statusCodes[503] ?? 0) / load!.flood.requests, "the flood's shed share");
    });

    it('every recording and alerting rule is healthy and has data', async () => {
      const client = prometheus!.client;
      const rules = await client.rules();
      const driverOnly = await rulesNeedingTheDriver();
      assert.ok(rules.length > 0, 'rule files loaded');
      const problems: string[] = [];
      for (const rule of rules) {
        if (rule.health !== 'ok') problems.push(`${rule.name}: health ${rule.health} ${rule.lastError ?? ''}`);
        // A recording rule's own series, an alert's expression below its threshold.
        if (options.driver === 'off' && driverOnly.has(rule.name)) continue;
        const expr = rule.type === 'recording' ? rule.name : withoutFinalThreshold(rule.query);
        const result = await client.queryRange(expr, startSeconds, endSeconds, 1);
        if (!hasFiniteSample(result)) problems.push(`${rule.name}: no data for ${expr} in [${startSeconds}, ${endSeconds}] (now ${Date.now() / 1000}; instant: ${JSON.stringify(await client.query(expr))})`);
      }
      assert.deepEqual(problems, []);
    });
  });
}

promqlLiveSuite({ driver: 'on' });
// k6 mode: only the API's load; no strategy is active, and every table and shading must still work.
promqlLiveSuite({ driver: 'off' });

// The bundle's queries against real data: a real daemon (rotating through every strategy, with
// a small queue), a real upstream and a real k6 run (that overflows the queue) feed a real Prometheus that
// runs the bundle's prometheus.yml (targets moved to loopback) with its rule files. Then every
// PromQL expression of every dashboard, with its template variables filled in, and every rule
// must return data. An expression naming a metric the daemon does not export fails here.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { generateDashboards } from '../../grafana/src/generate.ts';
import { CLI, type LabDaemon, NODE, startLabDaemon } from '../support/lab-daemon.ts';
import type { PrometheusSeries } from '../support/prometheus-client.ts';
import { type RunningPrometheus, startPrometheus } from '../support/start-prometheus.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';
import { resolveTool } from '../support/tools.ts';
import { waitFor } from '../support/wait-for.ts';
import { type DashboardJson, dashboardQueries } from './dashboard-queries.ts';
import { fillTemplateVariables, labelValuesAsPromQL, type TemplateValues } from './template-variables.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const K6_SCRIPT = fileURLToPath(new URL('fixtures/k6-dashboard-load.js', import.meta.url));
const STRATEGIES = ['sequential', 'async', 'threads', 'processes'];
/** Each strategy is active this long, so all four have had a window within ~20 s. */
const ROTATE_SECONDS = 5;
const RUN_DEADLINE_MS = 90_000;

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

describe('every dashboard and rule query returns data from a real run', { timeout: 180_000 }, () => {
  let upstream: StartedProcess | undefined;
  let daemon: LabDaemon | undefined;
  let prometheus: RunningPrometheus | undefined;
  let k6: StartedProcess | undefined;
  let startSeconds = 0;
  let endSeconds = 0;

  before(async () => {
    upstream = await startProcess(NODE, [CLI, 'upstream', '--port', '0'], { readyLine: /upstream listening on http:\/\/(\S+)/ });
    daemon = await startLabDaemon({
      LAB_UPSTREAM_URL: `http://${upstream.ready![1]!}`,
      LAB_ROTATE_SECONDS: String(ROTATE_SECONDS),
      LAB_WORKERS: '2',
      LAB_SIZES: 'thumbnail=320,matrix=60,array=100000,http=1024',
      // One lane per scenario fits every strategy's slots and queue: the driver alone sheds
      // nothing (a shedding driver starves all scenarios but one), k6's flood does.
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
    k6 = await startProcess(resolveTool('k6'), ['run', '--quiet', '--no-color', '-e', `LAB_URL=${daemon.url}`, '-o', 'experimental-prometheus-rw', K6_SCRIPT], {
      env: {
        ...process.env,
        K6_NO_USAGE_REPORT: 'true',
        K6_PROMETHEUS_RW_SERVER_URL: prometheus.remoteWriteUrl,
        // As in docker-compose.yml: trends as native histograms.
        K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
        K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
      },
    });
    // A hung k6 fails the test instead of blocking it.
    const k6Deadline = setTimeout(() => void k6?.stop('SIGKILL'), RUN_DEADLINE_MS);
    const k6Exit = await k6.exited.finally(() => clearTimeout(k6Deadline));
    assert.equal(k6Exit.code, 0, `k6 exit code:\n${k6.output().slice(-3000)}`);
    // Every strategy has been seen active in a few scrapes, so its window is in every range query.
    const activeStrategies = 'count(sum_over_time((max by (strategy) (lab_strategy_active) == 1)[5m:1s]) >= 3)';
    await waitFor(async () => (await client.query(activeStrategies))[0]?.values[0]?.[1] === STRATEGIES.length, {
      description: 'every strategy to have been active for 3 s',
      timeoutMs: RUN_DEADLINE_MS,
      intervalMs: 1_000,
    });
    endSeconds = Date.now() / 1000;
  });

  after(async () => {
    await k6?.stop('SIGKILL');
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

  it('every recording and alerting rule is healthy and has data', async () => {
    const client = prometheus!.client;
    const rules = await client.rules();
    assert.ok(rules.length > 0, 'rule files loaded');
    const problems: string[] = [];
    for (const rule of rules) {
      if (rule.health !== 'ok') problems.push(`${rule.name}: health ${rule.health} ${rule.lastError ?? ''}`);
      // A recording rule's own series, an alert's expression below its threshold.
      const expr = rule.type === 'recording' ? rule.name : withoutFinalThreshold(rule.query);
      if (!hasFiniteSample(await client.queryRange(expr, startSeconds, endSeconds, 1))) problems.push(`${rule.name}: no data for ${expr}`);
    }
    assert.deepEqual(problems, []);
  });
});

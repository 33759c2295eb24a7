import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CompareReport } from '../../src/report/report-schema.ts';
import { exitWithin } from '../support/exit-within.ts';
import { CLI, NODE } from '../support/lab-daemon.ts';
import { type RunningToxiproxy, startToxiproxy } from '../support/start-toxiproxy.ts';
import { type StartedProcess, startProcess } from '../support/started-process.ts';

const COMPARE_TIMEOUT_MS = 90_000;

/** Short http-only compare arguments: one round, 16 in flight, a 10 ms upstream, no Python. */
function shortCompare(out: string, strategies: string, faults: string): string[] {
  return [CLI, 'compare', '--scenarios', 'http', '--strategies', strategies, '--concurrency', '16', '--duration', '1s', '--warmup', '0s', '--rounds', '1', '--workers', '2', '--fit-sample', '2', '--delay-ms', '10', '--python', 'off', '--faults', faults, '--out', out];
}

describe('compare --faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'compare-faults-'));
  const started: StartedProcess[] = [];
  let toxiproxy: RunningToxiproxy | undefined;
  const envWithout = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    delete env.LAB_TOXIPROXY_URL;
    return env;
  };
  after(async () => {
    await Promise.all(started.map((process) => process.stop('SIGKILL')));
    await toxiproxy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the http cells under an application preset (flaky) and reports the faults and each cell\'s error share', async () => {
    const out = join(dir, 'flaky');
    const compare = await startProcess(NODE, shortCompare(out, 'async,threads', 'flaky'), { env: envWithout() });
    started.push(compare);
    assert.equal(await exitWithin(compare, COMPARE_TIMEOUT_MS, 'compare'), 0, `compare exit code; output:\n${compare.output()}`);
    const output = compare.output();
    assert.match(output, /Faults: preset flaky \(upstream_error: 10 % of responses are 500s\), set on the embedded upstream over its \/admin\/faults/);
    assert.match(output, /I\/O-bound \(http, upstream delay 10 ms\)\n\nstrategy\s+in flight\s+tasks\/worker\s+rounds\s+req\/s\s+p50 ms\s+p99 ms\s+cores used\s+loop p99 ms\s+error share\s+errors/);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as CompareReport;
    assert.ok(report.faults !== undefined, 'report.json has a faults section');
    assert.equal(report.faults.preset, 'flaky');
    assert.deepEqual(report.faults.active, ['upstream_error']);
    assert.equal(report.faults.upstream.errorRate, 0.1);
    assert.equal(report.faults.via, 'upstream');
    assert.deepEqual(report.faults.errorShares.map((cell) => `${cell.strategy}@${cell.concurrency}`), ['async@16', 'threads@16']);
    for (const cell of report.faults.errorShares) {
      // 10 % of several hundred calls: far from 0 and from 1 (binomial: below 2 % or above 30 % is about impossible).
      assert.ok(cell.jobs >= 100, `${cell.strategy}: ${cell.jobs} jobs`);
      assert.ok(cell.errorShare !== null && cell.errorShare > 0.02 && cell.errorShare < 0.3, `${cell.strategy}: error share ${cell.errorShare}`);
    }
    for (const cell of report.io) {
      assert.deepEqual(Object.keys(cell.errors), ['LAB_ERR_UPSTREAM_FAILED'], `${cell.strategy}: only upstream failures`);
      assert.equal(cell.jobs - cell.ok, report.faults.errorShares.find((share) => share.strategy === cell.strategy)?.failed);
    }
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(markdown, /Faults: preset flaky .*Error share per http cell: async at 16 \d+\.\d %, threads at 16 \d+\.\d %\./);
    assert.match(markdown, /\| error share \| errors \|/);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /Faults: preset flaky/);
  });

  it('refuses a network preset without Toxiproxy, with exit 2, before measuring', async () => {
    const out = join(dir, 'refused');
    const compare = await startProcess(NODE, shortCompare(out, 'async', 'resets'), { env: envWithout() });
    started.push(compare);
    assert.equal(await exitWithin(compare, COMPARE_TIMEOUT_MS, 'compare'), 2, `compare exit code; output:\n${compare.output()}`);
    assert.match(compare.output(), /option '--faults resets': network faults \(reset_peer\) need Toxiproxy; start toxiproxy-server and set LAB_TOXIPROXY_URL/);
    assert.equal(existsSync(join(out, 'report.json')), false, 'no report written');
  });

  it('refuses --faults without the http scenario', async () => {
    const args = shortCompare(join(dir, 'no-http'), 'async', 'flaky');
    args[args.indexOf('--scenarios') + 1] = 'matrix';
    const compare = await startProcess(NODE, args, { env: envWithout() });
    started.push(compare);
    assert.equal(await exitWithin(compare, COMPARE_TIMEOUT_MS, 'compare'), 2, `compare exit code; output:\n${compare.output()}`);
    assert.match(compare.output(), /faults apply to the http scenario only/);
  });

  it('runs a network preset (upstream-down) through a real Toxiproxy: every call fails, and the proxy is removed at the end', async () => {
    toxiproxy = await startToxiproxy();
    const out = join(dir, 'down');
    const compare = await startProcess(NODE, shortCompare(out, 'async', 'upstream-down'), { env: { ...envWithout(), LAB_TOXIPROXY_URL: toxiproxy.apiUrl } });
    started.push(compare);
    assert.equal(await exitWithin(compare, COMPARE_TIMEOUT_MS, 'compare'), 0, `compare exit code; output:\n${compare.output()}`);
    assert.match(compare.output(), /Faults: preset upstream-down \(down: the proxy refuses connections\), through a Toxiproxy proxy/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as CompareReport;
    assert.equal(report.faults?.via, 'toxiproxy');
    assert.deepEqual(report.faults?.active, ['down']);
    const [cell] = report.faults?.errorShares ?? [];
    assert.ok(cell !== undefined && cell.jobs > 0, 'the http cell ran');
    assert.equal(cell.errorShare, 1, 'every call to a disabled proxy fails');
    assert.deepEqual(Object.keys(report.io[0]!.errors), ['LAB_ERR_UPSTREAM_FAILED']);
    const proxies = (await (await fetch(`${toxiproxy.apiUrl}/proxies`)).json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(proxies), [], 'the compare deleted its proxy');
  });
});

// The cross-runner k6 alerts (prometheus/rules/k6.yml; their promtool unit tests are
// prometheus/tests/k6.test.yml) judge a distributed run by compare.ts's own defaults: the
// per-strategy p99 limits and the failed-request share. The scripts' constants and the rules'
// numbers live in two languages, so this keeps them equal.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ROOT } from '../../deploy/k8s/src/paths.ts';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}

const rules = (parse(await readFile(join(ROOT, 'prometheus/rules/k6.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules);
const compare = await readFile(join(ROOT, 'loadtests/compare.ts'), 'utf8');

describe('prometheus/rules/k6.yml follows loadtests/compare.ts', () => {
  it('p99 limit per strategy = DEFAULT_P99_MS', () => {
    const literal = /const DEFAULT_P99_MS[^=]*=\s*\{([^}]*)\}/.exec(compare)?.[1];
    assert.ok(literal !== undefined, 'compare.ts declares DEFAULT_P99_MS');
    const defaults = Object.fromEntries([...literal.matchAll(/(\w+):\s*(\d+)/g)].map((match) => [match[1]!, Number(match[2]) / 1000]));
    const limits = Object.fromEntries(
      rules
        .filter((rule) => rule.record === 'k6:http_req_duration_seconds:p99_limit')
        .map((rule) => [rule.labels?.strategy ?? '', Number(/^vector\(([\d.]+)\)$/.exec(rule.expr)?.[1])]),
    );
    assert.deepEqual(limits, defaults);
  });

  it('failed-request share = the MAX_FAILED_RATE default', () => {
    const fallback = /env\.number\('MAX_FAILED_RATE',\s*([\d.]+)/.exec(compare)?.[1];
    assert.ok(fallback !== undefined, 'compare.ts reads MAX_FAILED_RATE with a default');
    const alert = rules.find((rule) => rule.alert === 'LabK6FailedRequests');
    assert.equal(Number(/>\s*([\d.]+)\s*$/.exec(alert?.expr ?? '')?.[1]), Number(fallback));
  });

  it('every verdict is per test run and strategy, over all runners (no instance_id kept)', () => {
    for (const rule of rules.filter((candidate) => /k6_http_req/.test(candidate.expr))) {
      for (const [, by] of rule.expr.matchAll(/sum by \(([^)]*)\)/g)) {
        assert.deepEqual(by!.split(',').map((label) => label.trim()), ['testrun_name', 'strategy'], `${rule.record ?? rule.alert}: sum by (${by})`);
      }
    }
  });
});

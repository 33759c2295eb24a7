// The bundle's Prometheus files, checked by the real promtool: the config (with the rule files
// it names), the rules, and the rules' unit tests in prometheus/tests/. promtool and prometheus
// are the version the bundle's image pins (scripts/install-tools.sh builds it), so every test that
// runs a Prometheus runs the one `docker compose up` does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { resolveTool } from '../support/tools.ts';

const PROMETHEUS_DIR = fileURLToPath(new URL('../../prometheus/', import.meta.url));

async function filesIn(folder: string): Promise<string[]> {
  const names = (await readdir(join(PROMETHEUS_DIR, folder))).filter((name) => name.endsWith('.yml')).toSorted();
  assert.ok(names.length > 0, `prometheus/${folder} has .yml files`);
  return names.map((name) => join(folder, name));
}

/** Runs promtool in prometheus/, so its messages name the files as they lie there; fails with its output. */
async function promtool(...args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(resolveTool('promtool'), args, { cwd: PROMETHEUS_DIR, timeout: 60_000 });
    return stdout + stderr;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    assert.fail(`promtool ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('prometheus/', () => {
  it('the tests run the Prometheus version docker-compose.yml pins', async () => {
    const compose = await readFile(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8');
    const pinned = /image: prom\/prometheus:v(\d+\.\d+\.\d+)\s/.exec(compose)?.[1];
    assert.ok(pinned !== undefined, 'docker-compose.yml pins prom/prometheus');
    for (const tool of ['prometheus', 'promtool'] as const) {
      const { stdout, stderr } = await promisify(execFile)(resolveTool(tool), ['--version'], { timeout: 30_000 });
      const version = /version (\d+\.\d+\.\d+)/.exec(stdout + stderr)?.[1];
      assert.equal(version, pinned, `${resolveTool(tool)} --version`);
    }
  });

  it('promtool check config prometheus.yml', async () => {
    assert.match(await promtool('check', 'config', 'prometheus.yml'), /SUCCESS: .*rule files? found/);
  });

  it('promtool check rules', async () => {
    await promtool('check', 'rules', ...(await filesIn('rules')));
  });

  it('promtool test rules (an alert that must fire, and must not, for each)', async () => {
    const output = await promtool('test', 'rules', ...(await filesIn('tests')));
    assert.doesNotMatch(output, /FAILED/);
  });
});

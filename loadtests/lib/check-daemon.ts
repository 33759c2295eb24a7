import exec from 'k6/execution';
import http from 'k6/http';
import { sleep } from 'k6';
import type { JobRequest } from './post-job.ts';

interface StrategiesBody {
  strategies: { name: string; running: boolean }[];
}
interface ScenariosBody {
  scenarios: { name: string; parameters: { size: { minimum: number; maximum: number } } }[];
}

/** How long setup() waits for GET /readyz (the daemon warms its pools first). */
const READY_TIMEOUT_SECONDS = 30;

/**
 * For setup(): waits until the daemon is ready, then checks that it runs every strategy the
 * script will use and accepts every scenario and size. Aborts the test with one message naming
 * every problem, instead of letting thousands of requests fail the same way. The checks use
 * the `setup` tag so they stay out of the per-strategy numbers.
 */
export function checkDaemon(baseUrl: string, strategies: readonly string[], jobs: readonly Omit<JobRequest, 'strategy'>[]): void {
  const params = { tags: { name: 'setup' }, responseCallback: http.expectedStatuses(200, 503) };
  const deadline = Date.now() + READY_TIMEOUT_SECONDS * 1000;
  for (;;) {
    const ready = http.get(`${baseUrl}/readyz`, params);
    if (ready.status === 200) break;
    if (Date.now() > deadline) {
      exec.test.abort(`the daemon at ${baseUrl} is not ready after ${READY_TIMEOUT_SECONDS} s (GET /readyz: ${ready.status} ${ready.error || ready.body})`);
    }
    sleep(0.5);
  }

  const problems: string[] = [];
  const strategyBody = http.get(`${baseUrl}/api/v1/strategies`, params).json() as unknown as StrategiesBody;
  for (const name of strategies) {
    const strategy = strategyBody.strategies.find((candidate) => candidate.name === name);
    if (strategy === undefined) problems.push(`strategy ${name} does not exist`);
    else if (!strategy.running) problems.push(`strategy ${name} is not running (the daemon's LAB_STRATEGIES leaves it out)`);
  }
  const scenarioBody = http.get(`${baseUrl}/api/v1/scenarios`, params).json() as unknown as ScenariosBody;
  for (const { scenario, size } of jobs) {
    const known = scenarioBody.scenarios.find((candidate) => candidate.name === scenario);
    if (known === undefined) {
      problems.push(`scenario ${scenario} does not exist`);
      continue;
    }
    const { minimum, maximum } = known.parameters.size;
    if (size < minimum || size > maximum) problems.push(`size ${size} for ${scenario} is outside ${minimum}..${maximum}`);
  }
  if (problems.length > 0) exec.test.abort(`the daemon at ${baseUrl} cannot run this test: ${problems.join('; ')}`);
}

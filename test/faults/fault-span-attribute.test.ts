import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startLabDaemon } from '../support/lab-daemon.ts';
import { waitFor } from '../support/wait-for.ts';

describe('http job spans carry the active faults', () => {
  it('lab.faults names the faults active when the job started, or none', async () => {
    // The SDK's console exporter prints each ended span, attributes included.
    const daemon = await startLabDaemon({ LAB_DRIVER: 'off', LAB_STRATEGIES: 'async', LAB_FAULTS: 'flaky', LAB_UPSTREAM_SLOW_RATE: '0.5', OTEL_TRACES_EXPORTER: 'console', OTEL_BSP_SCHEDULE_DELAY: '100' });
    try {
      await fetch(`${daemon.url}/api/v1/jobs/http?strategy=async&size=8`, { method: 'POST' }).then((response) => response.arrayBuffer());
      await waitFor(() => /'lab\.faults': 'upstream_error,upstream_slow'/.test(daemon.output()), { description: 'a job span with lab.faults', timeoutMs: 15_000 });
      assert.equal((await fetch(`${daemon.url}/api/v1/faults`, { method: 'DELETE' })).status, 200);
      await fetch(`${daemon.url}/api/v1/jobs/http?strategy=async&size=8`, { method: 'POST' }).then((response) => response.arrayBuffer());
      await waitFor(() => /'lab\.faults': 'none'/.test(daemon.output()), { description: 'a job span with lab.faults none', timeoutMs: 15_000 });
      // Only http jobs carry it.
      await fetch(`${daemon.url}/api/v1/jobs/noop?strategy=async`, { method: 'POST' }).then((response) => response.arrayBuffer());
      await waitFor(() => /name: 'job noop'/.test(daemon.output()), { description: 'the noop job span', timeoutMs: 15_000 });
      const noopSpan = daemon.output().slice(daemon.output().indexOf("name: 'job noop'"));
      assert.doesNotMatch(noopSpan.slice(0, noopSpan.indexOf('events:')), /lab\.faults/);
    } finally {
      await daemon.stop();
    }
  });
});

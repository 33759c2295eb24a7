// The traced side of `compare --telemetry both`, a child process of the compare (see
// compare-traced-side.ts, one per traced round): it starts the SDK before anything it
// instruments is loaded, then measures the round the parent sends, exactly as an untraced compare would,
// with the daemon's job telemetry watching every job.
import type { LoadResult } from '../measurement/closed-loop.ts';
import type { PlannedRun } from '../report/compare-plan.ts';
import type { TracedRoundOptions } from '../report/telemetry-overhead.ts';
import { startCompareTelemetry } from './compare-telemetry.ts';
import { registerScenarioModulesFromEnv } from '../scenarios/scenario-modules.ts';

/** What the parent sends. */
export type TracedChildRequest = { readonly type: 'measure'; readonly id: number; readonly run: PlannedRun; readonly options: TracedRoundOptions };

/** What the child answers. */
export type TracedChildMessage =
  | { readonly type: 'ready'; readonly telemetry: Awaited<ReturnType<typeof startCompareTelemetry>>['telemetry'] }
  | { readonly type: 'result'; readonly id: number; readonly result: LoadResult }
  | { readonly type: 'failed'; readonly id?: number; readonly message: string };

const send = (message: TracedChildMessage): void => {
  process.send?.(message);
};

async function main(): Promise<void> {
  const telemetry = await startCompareTelemetry(true);
  // The parent's --scenario-module paths, as its workers get them.
  await registerScenarioModulesFromEnv();
  const { measureCombination } = await import('../report/measure-combination.ts');
  let queue = Promise.resolve();
  process.on('message', (request: TracedChildRequest) => {
    queue = queue.then(async () => {
      try {
        const result = await measureCombination(request.run, { ...request.options, observer: telemetry.observer });
        // The round's last partial batch goes out now, not during the parent's next untraced round.
        await telemetry.flush();
        send({ type: 'result', id: request.id, result });
      } catch (error) {
        send({ type: 'failed', id: request.id, message: (error as Error).message });
      }
    });
  });
  process.once('disconnect', () => {
    void queue.then(() => telemetry.shutdown()).finally(() => process.exit(0));
  });
  send({ type: 'ready', telemetry: telemetry.telemetry });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: (error as Error).message });
  process.exitCode = 1;
  process.disconnect?.();
});

import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { startDaemon } from '../daemon.ts';
import type { Tracing } from '../telemetry/tracing.ts';

/** `concurrency-lab daemon`: configured by LAB_* variables only; exits 0 after a graceful shutdown. */
export function registerDaemonCommand(program: Command, tracing: Tracing | undefined): void {
  program
    .command('daemon')
    .description('run every enabled scenario continuously under the active strategy, serving the API and /metrics (configured by LAB_* variables)')
    .action(async () => {
      const config = loadConfig();
      const daemon = await startDaemon(config, { tracesDescription: tracing?.description });
      await new Promise<void>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals): void => {
          signals++;
          if (signals > 1) {
            process.stderr.write(`${signal} again: exiting without waiting\n`);
            process.exit(1);
          }
          process.stdout.write(`${signal}: shutting down (grace ${config.shutdownGraceMs} ms)\n`);
          daemon.stop().then(resolve, (error: unknown) => {
            process.stderr.write(`shutdown failed: ${(error as Error).stack}\n`);
            process.exit(1);
          });
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      // Spans of the last jobs are still buffered.
      await tracing?.shutdown();
      process.stdout.write('stopped\n');
    });
}

import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { loadScenarioModules } from '../config/load-scenario-modules.ts';
import { startDaemon } from '../daemon.ts';
import type { Tracing } from '../telemetry/tracing.ts';
import { formatCellTable, formatWindowLine } from './cell-table.ts';

const DUPLICATE_SIGNAL_MS = 1_000;

/** `concurrency-lab daemon`: configured by LAB_* variables only; exits 0 after a graceful shutdown. */
export function registerDaemonCommand(program: Command, tracing: Tracing | undefined): void {
  program
    .command('daemon')
    .description('run every enabled scenario continuously under the active strategy, serving the API and /metrics (configured by LAB_* variables)')
    .action(async () => {
      // First the scenario modules, so LAB_SCENARIOS and LAB_SIZES can name their scenarios.
      await loadScenarioModules();
      const config = loadConfig();
      // Listen for signals before anything starts: a SIGTERM that arrives while the pools warm
      // up still gets the graceful shutdown, once startup is complete.
      let first: { signal: NodeJS.Signals; atMs: number } | undefined;
      let onFirstSignal: (signal: NodeJS.Signals) => void = () => {};
      const firstSignal = new Promise<NodeJS.Signals>((resolve) => {
        onFirstSignal = resolve;
      });
      const onSignal = (signal: NodeJS.Signals): void => {
        // Ctrl-C under `npm start` arrives twice: from the terminal (the whole process group)
        // and forwarded by npm. The same signal within a second is that one signal.
        if (first !== undefined && first.signal === signal && performance.now() - first.atMs < DUPLICATE_SIGNAL_MS) return;
        if (first !== undefined) {
          process.stderr.write(`${signal} again: exiting without waiting\n`);
          process.exit(1);
        }
        first = { signal, atMs: performance.now() };
        onFirstSignal(signal);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);

      const daemon = await startDaemon(config, {
        tracesDescription: tracing?.description,
        onWindow: (window, cycleDone) => {
          process.stdout.write(`${formatWindowLine(window)}\n`);
          if (cycleDone !== undefined) process.stdout.write(`\nlatest window per cell (${config.mix}):\n${formatCellTable(cycleDone)}\n\n`);
        },
      });
      const signal = await firstSignal;
      process.stdout.write(`${signal}: shutting down (grace ${config.shutdownGraceMs} ms)\n`);
      await daemon.stop();
      // Spans of the last jobs are still buffered.
      await tracing?.shutdown();
      process.stdout.write('stopped\n');
    });
}

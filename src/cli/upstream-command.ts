import type { Command } from 'commander';
import { UpstreamFaultsSchema } from '../faults/fault-set.ts';
import type { UpstreamListening } from '../upstream/embedded-upstream.ts';
import type { Tracing } from '../telemetry/tracing.ts';
import { startUpstream } from '../upstream/upstream-server.ts';
import { integerOption, numberOption } from './option-parsers.ts';

interface UpstreamCommandOptions {
  host: string;
  port: number;
  delayMs: number;
  jitterMs: number;
  errorRate: number;
  slowRate: number;
  slowFactor: number;
  stall: boolean;
}

/** `concurrency-lab upstream`: the slow HTTP service the http scenario calls. */
export function registerUpstreamCommand(program: Command, tracing: Tracing | undefined): void {
  program
    .command('upstream')
    .description('run the slow upstream: GET /work?bytes=N answers N bytes after --delay-ms ± --jitter-ms; GET/PUT /admin/faults shows and changes its faults')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerOption(0, 65_535), 8081)
    .option('--delay-ms <ms>', 'mean response delay', integerOption(0, 60_000), 50)
    .option('--jitter-ms <ms>', 'uniform jitter around the delay', integerOption(0, 60_000), 10)
    .option('--error-rate <share>', 'fault: share (0..1) of responses answered 500', numberOption(0, 1), 0)
    .option('--slow-rate <share>', 'fault: share (0..1) of responses --slow-factor times slower (the slow tail)', numberOption(0, 1), 0)
    .option('--slow-factor <x>', 'fault: how much slower a slow-tail response is', numberOption(10, 100), 20)
    .option('--stall', 'fault: hold every GET /work unanswered (a hard stall)', false)
    .action(async (options: UpstreamCommandOptions) => {
      const faults = UpstreamFaultsSchema.parse({ errorRate: options.errorRate, slowRate: options.slowRate, slowFactor: options.slowFactor, stall: options.stall });
      const upstream = await startUpstream({ host: options.host, port: options.port, delayMs: options.delayMs, jitterMs: options.jitterMs, faults });
      process.stdout.write(`upstream listening on ${upstream.url} (delay ${options.delayMs} ± ${options.jitterMs} ms, faults ${JSON.stringify(faults)}); ${tracing?.description ?? 'traces are off'}\n`);
      await new Promise<void>((resolve) => {
        // An open IPC channel keeps the process alive: let go of it once closed.
        let stopping: Promise<void> | undefined;
        const stop = (): void => {
          stopping ??= upstream
            .close()
            .then(() => tracing?.shutdown())
            .then(() => {
              if (process.connected) process.disconnect();
              resolve();
            });
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
        if (process.send !== undefined) {
          // Started by the daemon: report the port, and leave with the daemon.
          process.send({ type: 'upstream-listening', url: upstream.url } satisfies UpstreamListening);
          process.once('disconnect', stop);
        }
      });
    });
}

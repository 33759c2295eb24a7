import type { Command } from 'commander';
import type { UpstreamListening } from '../upstream/embedded-upstream.ts';
import type { Tracing } from '../telemetry/tracing.ts';
import { startUpstream } from '../upstream/upstream-server.ts';
import { integerOption } from './option-parsers.ts';

/** `concurrency-lab upstream`: the slow HTTP service the http scenario calls. */
export function registerUpstreamCommand(program: Command, tracing: Tracing | undefined): void {
  program
    .command('upstream')
    .description('run the slow upstream: GET /work?bytes=N answers N bytes after --delay-ms ± --jitter-ms')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', integerOption(0, 65_535), 8081)
    .option('--delay-ms <ms>', 'mean response delay', integerOption(0, 60_000), 50)
    .option('--jitter-ms <ms>', 'uniform jitter around the delay', integerOption(0, 60_000), 10)
    .action(async (options: { host: string; port: number; delayMs: number; jitterMs: number }) => {
      const upstream = await startUpstream(options);
      process.stdout.write(`upstream listening on ${upstream.url} (delay ${options.delayMs} ± ${options.jitterMs} ms); ${tracing?.description ?? 'traces are off'}\n`);
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

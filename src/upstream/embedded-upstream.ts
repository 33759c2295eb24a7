import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.ts';
import { NO_UPSTREAM_FAULTS, type UpstreamFaults } from '../faults/fault-set.ts';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
// Loading the CLI (OpenTelemetry, sharp, the pools) took 14–22 s on a shared 2-core VM at load 20.
const START_TIMEOUT_MS = 60_000;

export interface EmbeddedUpstream {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Message the upstream command sends to its parent over IPC once it listens. */
export interface UpstreamListening {
  type: 'upstream-listening';
  url: string;
}

/** The `concurrency-lab upstream` options that start it with these faults. */
export function upstreamFaultArgs(faults: UpstreamFaults): string[] {
  return ['--error-rate', String(faults.errorRate), '--slow-rate', String(faults.slowRate), '--slow-factor', String(faults.slowFactor), ...(faults.stall ? ['--stall'] : [])];
}

/**
 * Starts `concurrency-lab upstream` as a separate process on a free loopback port, so the
 * upstream's own work never shares the daemon's event loop.
 */
export async function startEmbeddedUpstream(options: { delayMs: number; jitterMs: number; faults?: UpstreamFaults | undefined }): Promise<EmbeddedUpstream> {
  const child: ChildProcess = fork(
    CLI,
    ['upstream', '--host', '127.0.0.1', '--port', '0', '--delay-ms', String(options.delayMs), '--jitter-ms', String(options.jitterMs), ...upstreamFaultArgs(options.faults ?? NO_UPSTREAM_FAULTS)],
    // The daemon's own OTEL_SERVICE_NAME must not name the upstream: it is the second service in each trace.
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, OTEL_SERVICE_NAME: 'concurrency-lab-upstream' } },
  );
  const listening = new Promise<string>((resolve, reject) => {
    child.on('message', (message: UpstreamListening) => {
      if (message?.type === 'upstream-listening') resolve(message.url);
    });
    child.once('exit', (code, signal) => reject(new LabError('LAB_ERR_UPSTREAM_FAILED', `the embedded upstream exited before listening (code ${code}, signal ${signal})`)));
  });
  let url: string;
  try {
    url = await Promise.race([
      listening,
      new Promise<never>((_, reject) => setTimeout(() => reject(new LabError('LAB_ERR_UPSTREAM_FAILED', `the embedded upstream did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS).unref()),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  // The IPC channel stays open: the upstream exits when it closes, so even a daemon killed
  // with SIGKILL leaves no upstream behind.
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      await exited;
      clearTimeout(timer);
    },
  };
}

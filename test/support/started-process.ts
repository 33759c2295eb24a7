import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolve once a line of stdout or stderr matches; the match is returned. */
  readyLine?: RegExp;
  readyTimeoutMs?: number;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process a test started; stop it (by pid) in an after hook or finally block. */
export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything printed so far (stdout and stderr interleaved). */
  output(): string;
  /** The match of `readyLine`, when given. */
  readonly ready: RegExpMatchArray | undefined;
  /** Resolves with the exit code and signal when the process ends. */
  readonly exited: Promise<ProcessExit>;
  /** Sends `signal` (default SIGTERM), then SIGKILL after `timeoutMs`; resolves when it exited. Safe to call twice. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<ProcessExit>;
}

// Processes started here and not yet seen to end: killed if the test process exits first,
// so an interrupted test leaves nothing running.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts a process and, with `readyLine`, waits until it prints a matching line. */
export async function startProcess(command: string, args: readonly string[], options: StartOptions = {}): Promise<StartedProcess> {
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const exited = once(child, 'exit').then(([code, signal]) => {
    live.delete(child);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  let onOutput: (() => void) | undefined;
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output += chunk;
      onOutput?.();
    });
  }
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<ProcessExit> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return exited;
  };

  let ready: RegExpMatchArray | undefined;
  if (options.readyLine !== undefined) {
    const pattern = options.readyLine;
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    try {
      ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${command} did not print ${pattern} within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
        onOutput = () => {
          const match = output.match(pattern);
          if (match !== null) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        onOutput();
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(new Error(`${command} exited (code ${code}, signal ${signal}) before printing ${pattern}; output:\n${output}`));
        });
      });
    } catch (error) {
      await stop('SIGKILL');
      throw error;
    } finally {
      onOutput = undefined;
    }
  }
  return { child, pid: child.pid!, output: () => output, ready, exited, stop };
}

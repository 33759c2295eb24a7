import { fileURLToPath } from 'node:url';
import { type StartedProcess, startProcess } from './started-process.ts';

/** The project's own Node 24 binary and CLI, so tests never depend on the system Node. */
export const NODE = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url));
export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface LabDaemon extends StartedProcess {
  /** Base URL of the API, e.g. http://127.0.0.1:41234. */
  readonly url: string;
}

/**
 * Starts `concurrency-lab daemon` on a free port (LAB_PORT=0 unless `env` sets it) and waits
 * until it listens. Variables in `env` are added to the test's environment.
 */
export async function startLabDaemon(env: Record<string, string> = {}): Promise<LabDaemon> {
  const started = await startProcess(NODE, [CLI, 'daemon'], {
    env: { ...process.env, LAB_PORT: '0', ...env },
    readyLine: /listening on (http:\/\/\S+)/,
  });
  return Object.assign(started, { url: started.ready![1]! });
}

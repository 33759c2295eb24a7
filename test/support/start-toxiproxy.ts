import { freePort } from './free-port.ts';
import { type StartedProcess, startProcess } from './started-process.ts';
import { resolveTool } from './tools.ts';
import { waitFor } from './wait-for.ts';

export interface RunningToxiproxy extends StartedProcess {
  /** Its HTTP API, e.g. http://127.0.0.1:41234. */
  readonly apiUrl: string;
}

/** Starts the real toxiproxy-server on loopback and waits until its API answers; stop it by pid. */
export async function startToxiproxy(): Promise<RunningToxiproxy> {
  const port = await freePort();
  const started = await startProcess(resolveTool('toxiproxy-server'), ['-host', '127.0.0.1', '-port', String(port)]);
  const apiUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${apiUrl}/version`)).ok, { description: 'toxiproxy-server to answer /version', timeoutMs: 15_000, abortReason: () => (started.child.exitCode === null ? undefined : `exited: ${started.output()}`) });
  } catch (error) {
    await started.stop('SIGKILL');
    throw error;
  }
  return Object.assign(started, { apiUrl });
}

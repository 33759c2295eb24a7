import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { childPidsOf, isAlive } from '../support/child-pids.ts';
import { waitFor } from '../support/wait-for.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every descendant of `pid`, depth first. */
function descendantsOf(pid: number): number[] {
  return childPidsOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

/**
 * Runs the README's `npm start` in a process group of its own (as a terminal would), waits
 * until the daemon listens with its pool and upstream up, then `stop`s it and checks that
 * every process it started is gone.
 */
/** MALLOC_ARENA_MAX in the environment each process started with (undefined: not set). */
function mallocArenaMaxOf(pids: readonly number[]): Array<string | undefined> {
  return pids.map((pid) => {
    try {
      const entry = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((each) => each.startsWith('MALLOC_ARENA_MAX='));
      return entry?.slice('MALLOC_ARENA_MAX='.length);
    } catch {
      return 'unreadable';
    }
  });
}

/** The daemon's MALLOC_ARENA_MAX and its pool children's, as seen by the last startAndStop. */
let lastArenaMax: { daemon: Array<string | undefined> } = { daemon: [] };

async function startAndStop(stop: (npmPid: number) => void): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, LAB_PORT: '0', LAB_DRIVER: 'off', LAB_STRATEGIES: 'processes', LAB_WORKERS: '1', LAB_SHUTDOWN_GRACE_MS: '1000' };
  // npm start must set it itself (package.json): the caller's environment does not.
  delete env.MALLOC_ARENA_MAX;
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let output = '';
  npm.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  npm.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  let seen: number[] = [];
  try {
    const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], { description: 'npm start to listen', timeoutMs: 120_000, abortReason: () => (npm.exitCode === null ? undefined : `npm exited: ${output}`) });
    await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { description: 'the daemon to be ready', timeoutMs: 60_000 });
    // npm, (sh,) the daemon, its child-process worker and the upstream.
    seen = [npm.pid!, ...descendantsOf(npm.pid!)];
    assert.ok(seen.length >= 4, `processes under npm: ${seen.join(', ')}`);
    lastArenaMax = { daemon: mallocArenaMaxOf(seen.slice(1)) };
    stop(npm.pid!);
    await waitFor(() => seen.every((pid) => !isAlive(pid)), { description: `every process of npm start to end (${seen.join(', ')})`, timeoutMs: 30_000 });
    await exited;
    return output;
  } finally {
    // Whatever survived a failed test: by pid, never by name.
    for (const pid of [...seen, ...(npm.pid === undefined ? [] : descendantsOf(npm.pid))]) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (npm.exitCode === null) npm.kill('SIGKILL');
  }
}

describe('npm start under a process manager and in a terminal', () => {
  it('SIGTERM to the npm process reaches the daemon: a graceful stop, no process left', async () => {
    const output = await startAndStop((pid) => process.kill(pid, 'SIGTERM'));
    assert.match(output, /SIGTERM: shutting down/);
    assert.match(output, /^stopped$/m);
    // glibc reads MALLOC_ARENA_MAX when the process starts: the daemon, its children and the
    // upstream all started with 2 (README, Soak).
    assert.deepEqual(lastArenaMax.daemon, lastArenaMax.daemon.map(() => '2'), `MALLOC_ARENA_MAX under npm: ${JSON.stringify(lastArenaMax)}`);
  });

  it('Ctrl-C (SIGINT to the process group) stops everything, no process left', async () => {
    const output = await startAndStop((pid) => process.kill(-pid, 'SIGINT'));
    assert.match(output, /SIGINT: shutting down/);
    assert.doesNotMatch(output, /again: exiting without waiting/);
    assert.match(output, /^stopped$/m);
  });
});

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { LabError } from '../errors.ts';
import type { LoadResult } from '../measurement/closed-loop.ts';
import type { PlannedRun } from '../report/compare-plan.ts';
import type { TelemetryState, TracedRoundOptions, TracedSide } from '../report/telemetry-overhead.ts';
import type { TracedChildMessage, TracedChildRequest } from './compare-traced-child.ts';

const CHILD_ENTRY = fileURLToPath(new URL('./compare-traced-child.ts', import.meta.url));
/** The SDK and the instrumentations load in about a second; far above that, the child is stuck. */
const READY_TIMEOUT_MS = 60_000;
/** A child exports its last spans and exits at once; far above that, it is killed. */
const CLOSE_TIMEOUT_MS = 15_000;

/** One child process of the compare with the SDK on, ready to measure. */
async function startChild(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; telemetry: TelemetryState }> {
  // 'advanced': structured clone, so a NaN figure (no successful job) survives the trip.
  const child = fork(CHILD_ENTRY, [], { env: { ...env, OTEL_SDK_DISABLED: 'false' }, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const failed = once(child, 'exit').then(([code]) => {
    throw new LabError('LAB_ERR_SCENARIO_FAILED', `the traced side of the compare exited before it was ready (code ${code})`);
  });
  const ready = new Promise<TelemetryState>((resolve, reject) => {
    child.on('message', (message: TracedChildMessage) => {
      if (message.type === 'ready') resolve(message.telemetry);
      else if (message.type === 'failed' && message.id === undefined) reject(new LabError('LAB_ERR_SCENARIO_FAILED', `the traced side of the compare did not start: ${message.message}`));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LabError('LAB_ERR_SCENARIO_FAILED', `the traced side of the compare was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  });
  try {
    return { child, telemetry: await Promise.race([ready, failed, timeout]) };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
    failed.catch(() => {});
  }
}

/** Lets a child export its last spans and exit (SIGKILL after CLOSE_TIMEOUT_MS). */
async function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Sends one round to a child and waits for its figures. */
function measureIn(child: ChildProcess, run: PlannedRun, options: TracedRoundOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: TracedChildMessage): void => {
      if (message.type === 'ready') return;
      cleanUp();
      if (message.type === 'result') resolve(message.result);
      else reject(new LabError('LAB_ERR_SCENARIO_FAILED', `the traced side of the compare failed: ${message.message}`));
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanUp();
      reject(new LabError('LAB_ERR_WORKER_CRASHED', `the traced side of the compare exited (code ${code}, signal ${signal})`));
    };
    const cleanUp = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.send({ type: 'measure', id: 1, run, options } satisfies TracedChildRequest);
  });
}

/**
 * The traced side of `compare --telemetry both`: each traced round runs in a fresh child process
 * of the compare started with OTEL_SDK_DISABLED=false (its own fresh strategy and workers, as
 * every round has). The compare's own process keeps OTEL_SDK_DISABLED=true, so its untraced
 * rounds are exactly what a plain untraced compare measures: OpenTelemetry's global tracer
 * provider, context manager and the http/undici instrumentations cannot be undone in a process
 * once started, so the two states cannot share one. A fresh child per round, not one for all:
 * a pure-JS kernel runs at different speeds in different processes on a shared machine, and one
 * child would put its difference into every round's ratio alike (see the README, "Where the
 * remaining cost is"). Rounds never overlap: the compare waits for each, and the child flushes
 * its spans before it answers and exits before the next round starts.
 */
export class TracedCompareSide implements TracedSide {
  readonly telemetry: TelemetryState;
  readonly #env: NodeJS.ProcessEnv;
  #current: ChildProcess | undefined;

  private constructor(telemetry: TelemetryState, env: NodeJS.ProcessEnv) {
    this.telemetry = telemetry;
    this.#env = env;
  }

  /** Starts a first child (to fail early and to learn the settings it runs with); `env` is the compare's own environment. */
  static async start(env: NodeJS.ProcessEnv = process.env): Promise<TracedCompareSide> {
    const { child, telemetry } = await startChild(env);
    await closeChild(child);
    return new TracedCompareSide(telemetry, env);
  }

  async measure(run: PlannedRun, options: TracedRoundOptions): Promise<LoadResult> {
    const { child } = await startChild(this.#env);
    this.#current = child;
    try {
      return await measureIn(child, run, options);
    } finally {
      await closeChild(child);
      this.#current = undefined;
    }
  }

  /** Ends a child still running (an interrupted compare). */
  async close(): Promise<void> {
    if (this.#current !== undefined) await closeChild(this.#current);
  }
}

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

/**
 * The traced side of `compare --telemetry both`: one child process of the compare, started once,
 * with OTEL_SDK_DISABLED=false, in which every traced round runs (its own fresh strategy and
 * workers, as every round has). The compare's own process keeps OTEL_SDK_DISABLED=true, so its
 * untraced rounds are exactly what a plain untraced compare measures: OpenTelemetry's global
 * tracer provider, context manager and the http/undici instrumentations cannot be undone in a
 * process once started, so the two states cannot share one. Rounds never overlap: the parent
 * waits for each before the next, and the child flushes its spans before it answers.
 */
export class TracedCompareSide implements TracedSide {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (result: LoadResult) => void; reject: (error: Error) => void }>();

  private readonly child: ChildProcess;
  readonly telemetry: TelemetryState;

  private constructor(child: ChildProcess, telemetry: TelemetryState) {
    this.child = child;
    this.telemetry = telemetry;
    child.on('message', (message: TracedChildMessage) => {
      if (message.type === 'ready' || message.id === undefined) return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.type === 'result') waiter?.resolve(message.result);
      else waiter?.reject(new LabError('LAB_ERR_SCENARIO_FAILED', `the traced side of the compare failed: ${message.message}`));
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.waiting.values()) waiter.reject(new LabError('LAB_ERR_WORKER_CRASHED', `the traced side of the compare exited (code ${code}, signal ${signal})`));
      this.waiting.clear();
    });
  }

  /** Starts the child and waits until its SDK runs; `env` is the compare's own environment. */
  static async start(env: NodeJS.ProcessEnv = process.env): Promise<TracedCompareSide> {
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
      return new TracedCompareSide(child, await Promise.race([ready, failed, timeout]));
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    } finally {
      clearTimeout(timer);
      failed.catch(() => {});
    }
  }

  measure(run: PlannedRun, options: TracedRoundOptions): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ type: 'measure', id, run, options } satisfies TracedChildRequest);
    });
  }

  /** Lets the child export its last spans and exit (SIGKILL after `timeoutMs`). */
  async close(timeoutMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

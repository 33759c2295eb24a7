import { SingleBar } from 'cli-progress';
import type { CompareProgressListener } from './run-compare.ts';

/** How often the bar moves between steps, so the time left counts down during a long run. */
const TICK_MS = 500;

function formatSeconds(seconds: number): string {
  const rounded = Math.max(0, Math.round(seconds));
  return rounded >= 60 ? `${Math.floor(rounded / 60)} min ${rounded % 60} s` : `${rounded} s`;
}

/**
 * The compare's progress on stderr (stdout stays for the table): a bar with the current
 * combination and the estimated time left on a terminal, one plain line per step otherwise
 * (CI logs, pipes). Time left is the plan's estimate for the remaining steps, never negative.
 */
export class CompareProgress implements CompareProgressListener {
  readonly #stream: NodeJS.WriteStream;
  #bar: SingleBar | undefined;
  #timer: NodeJS.Timeout | undefined;
  #estimatedSeconds = 0;
  #steps = 0;
  #step = 0;
  /** Estimated seconds of the steps already finished, plus the current one when it started. */
  #doneBeforeStep = 0;
  #stepExpected = 0;
  #stepStartedMs = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
  }

  start(estimatedSeconds: number, steps: number): void {
    this.#estimatedSeconds = estimatedSeconds;
    this.#steps = steps;
    this.#stream.write(`compare: ${steps} steps, about ${formatSeconds(estimatedSeconds)}\n`);
    if (this.#stream.isTTY) {
      this.#bar = new SingleBar({ stream: this.#stream, format: '{bar} {percentage}% | {step} | {left} left', hideCursor: true, clearOnComplete: true });
      this.#bar.start(Math.max(1, Math.round(estimatedSeconds)), 0, { step: 'starting', left: formatSeconds(estimatedSeconds) });
      this.#timer = setInterval(() => this.#render(), TICK_MS);
      this.#timer.unref();
    }
  }

  step(label: string, expectedSeconds: number): void {
    this.#doneBeforeStep += this.#stepExpected;
    this.#stepExpected = expectedSeconds;
    this.#stepStartedMs = performance.now();
    this.#step++;
    const text = `[${this.#step}/${this.#steps}] ${label}`;
    if (this.#bar === undefined) this.#stream.write(`${text} (about ${formatSeconds(this.#left())} left)\n`);
    else this.#render(text);
  }

  #left(): number {
    const inStep = Math.min(this.#stepExpected, (performance.now() - this.#stepStartedMs) / 1000);
    return Math.max(0, this.#estimatedSeconds - this.#doneBeforeStep - inStep);
  }

  #render(step?: string): void {
    const left = this.#left();
    const payload = { left: formatSeconds(left), ...(step === undefined ? {} : { step }) };
    this.#bar?.update(Math.round(Math.max(0, this.#estimatedSeconds - left)), payload);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

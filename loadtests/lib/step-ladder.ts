import exec from 'k6/execution';
import type { Stage, Threshold } from 'k6/options';
import type { SummaryData } from './summary-data.ts';
import type { SummarySection } from './summary-handler.ts';
import { textTable } from './text-table.ts';

export interface StepLadderOptions {
  /** Arrival rate of the first step, jobs per second. */
  readonly startRate: number;
  /** Added to the rate at every step, jobs per second. */
  readonly stepRate: number;
  readonly steps: number;
  /** How long each step holds its rate, in seconds. */
  readonly stepSeconds: number;
}

/** What a step must meet to count as sustained. */
export interface SustainCriteria {
  /** The p99 of the jobs that got a 200 must stay below this, in milliseconds. */
  readonly p99LimitMs: number;
  /** Share of the step's target jobs that must complete with 200 (k6 may drop iterations). */
  readonly minDoneRatio: number;
}

/** One strategy at one step. */
export interface StepResult {
  readonly targetRate: number;
  /** Jobs answered 200 per second of the step. */
  readonly doneRate: number;
  readonly requests: number;
  readonly shed: number;
  readonly failed: number;
  /** Latency of the 200 answers (shed answers are fast and would flatter it). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sustained: boolean;
  /** Why the step is not sustained; empty when it is. */
  readonly reasons: readonly string[];
}

/** One strategy's knee: the highest rate it sustained at every step up to it. */
export interface KneeResult {
  readonly strategy: string;
  /** Null when even the first step was not sustained. */
  readonly sustainedRate: number | null;
  readonly p99MsAtSustainedRate: number | null;
  /** The first step not sustained, null when every step was. */
  readonly brokeAtRate: number | null;
  readonly brokeBecause: readonly string[];
  readonly steps: readonly StepResult[];
}

/**
 * A staircase of arrival rates for ramping-arrival-rate: each step jumps to its rate and holds
 * it. Every request is tagged `target_rate` with the step it was sent in (from the time since
 * the scenario started), and thresholds per strategy x step x status make k6 keep each step's
 * numbers apart, so the summary can tell at which step a strategy stopped keeping up.
 */
export class StepLadder {
  readonly rates: readonly number[];
  readonly stepSeconds: number;

  constructor(options: StepLadderOptions) {
    this.rates = Array.from({ length: options.steps }, (_, index) => options.startRate + index * options.stepRate);
    this.stepSeconds = options.stepSeconds;
  }

  get durationSeconds(): number {
    return this.rates.length * this.stepSeconds;
  }

  /** Stages for a ramping-arrival-rate executor (startRate: rates[0]). */
  stages(): Stage[] {
    return this.rates.flatMap((rate) => [
      { duration: '0s', target: rate },
      { duration: `${this.stepSeconds}s`, target: rate },
    ]);
  }

  /** The target rate of the step running now in the current k6 scenario, as a tag value. */
  currentRateTag(): string {
    const index = Math.floor((Date.now() - exec.scenario.startTime) / (this.stepSeconds * 1000));
    return String(this.rates[Math.min(Math.max(index, 0), this.rates.length - 1)]);
  }

  /** Track-only thresholds for the submetrics report() reads. */
  thresholds(strategies: readonly string[]): Record<string, Threshold[]> {
    const thresholds: Record<string, Threshold[]> = {};
    for (const strategy of strategies) {
      for (const rate of this.rates) {
        const tags = `strategy:${strategy},target_rate:${rate}`;
        thresholds[`http_reqs{${tags}}`] = ['count>=0'];
        thresholds[`http_reqs{${tags},status:200}`] = ['count>=0'];
        thresholds[`http_reqs{${tags},status:503}`] = ['count>=0'];
        thresholds[`http_req_failed{${tags}}`] = ['rate>=0'];
        thresholds[`http_req_duration{${tags},status:200}`] = ['max>=0'];
      }
    }
    return thresholds;
  }

  /** Each strategy's steps and knee, as a text section and JSON (`knees`). */
  report(data: SummaryData, strategies: readonly string[], criteria: SustainCriteria): SummarySection {
    const knees = strategies.map((strategy) => this.knee(data, strategy, criteria));
    const limit = `p99 < ${criteria.p99LimitMs} ms, nothing shed or failed, >= ${Math.round(criteria.minDoneRatio * 100)}% of the target done`;
    const kneeTable = textTable(
      ['strategy', 'sustained jobs/s', 'p99 ms there', 'broke at jobs/s', 'because'],
      knees.map((knee) => [
        knee.strategy,
        knee.sustainedRate === null ? `< ${this.rates[0]}` : String(knee.sustainedRate),
        knee.p99MsAtSustainedRate === null ? '-' : knee.p99MsAtSustainedRate.toFixed(1),
        knee.brokeAtRate === null ? `not within ${this.rates.at(-1)}` : String(knee.brokeAtRate),
        knee.brokeBecause.join('; '),
      ]),
    );
    const percent = (part: number, whole: number): string => `${whole === 0 ? '0.0' : ((part / whole) * 100).toFixed(1)}%`;
    const stepTable = textTable(
      ['strategy', 'target/s', 'done/s', 'requests', 'shed', 'failed', 'p50 ms', 'p99 ms', 'sustained'],
      knees.flatMap((knee) =>
        knee.steps.map((step) => [
          knee.strategy,
          String(step.targetRate),
          step.doneRate.toFixed(1),
          String(step.requests),
          percent(step.shed, step.requests),
          percent(step.failed, step.requests),
          step.p50Ms.toFixed(1),
          step.p99Ms.toFixed(1),
          step.sustained ? 'yes' : 'no',
        ]),
      ),
    );
    return {
      text: `steps (latency of the 200 answers):\n${stepTable}\n\nknee (${limit}):\n${kneeTable}`,
      json: { criteria, stepSeconds: this.stepSeconds, knees },
    };
  }

  private knee(data: SummaryData, strategy: string, criteria: SustainCriteria): KneeResult {
    const steps = this.rates.map((rate) => this.step(data, strategy, rate, criteria));
    const broken = steps.findIndex((step) => !step.sustained);
    const last = broken === -1 ? steps.at(-1) : broken === 0 ? undefined : steps[broken - 1];
    return {
      strategy,
      sustainedRate: last?.targetRate ?? null,
      p99MsAtSustainedRate: last?.p99Ms ?? null,
      brokeAtRate: broken === -1 ? null : steps[broken]!.targetRate,
      brokeBecause: broken === -1 ? [] : steps[broken]!.reasons,
      steps,
    };
  }

  private step(data: SummaryData, strategy: string, rate: number, criteria: SustainCriteria): StepResult {
    const tags = `strategy:${strategy},target_rate:${rate}`;
    const value = (metric: string, stat: string): number => data.metrics[metric]?.values[stat] ?? 0;
    const requests = value(`http_reqs{${tags}}`, 'count');
    const done = value(`http_reqs{${tags},status:200}`, 'count');
    const shed = value(`http_reqs{${tags},status:503}`, 'count');
    const failed = value(`http_req_failed{${tags}}`, 'passes');
    const p50Ms = value(`http_req_duration{${tags},status:200}`, 'med');
    const p99Ms = value(`http_req_duration{${tags},status:200}`, 'p(99)');
    const doneRate = done / this.stepSeconds;
    const reasons: string[] = [];
    if (done < criteria.minDoneRatio * rate * this.stepSeconds) reasons.push(`done ${doneRate.toFixed(1)}/s`);
    if (done > 0 && p99Ms >= criteria.p99LimitMs) reasons.push(`p99 ${p99Ms.toFixed(1)} ms`);
    if (shed > 0) reasons.push(`${shed} shed`);
    if (failed > 0) reasons.push(`${failed} failed`);
    return { targetRate: rate, doneRate, requests, shed, failed, p50Ms, p99Ms, sustained: reasons.length === 0, reasons };
  }
}

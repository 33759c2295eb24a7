// Test double of k6's `k6` module (check, sleep) for running loadtests/lib under Node. Not k6:
// it records what the script asked for, so a test can look at it.

/** One check() call: its tags and each condition's outcome. */
export interface RecordedCheck {
  readonly tags: Readonly<Record<string, string>>;
  readonly outcomes: Readonly<Record<string, boolean>>;
}

export const recordedChecks: RecordedCheck[] = [];
export const recordedSleepsSeconds: number[] = [];

export function check<T>(value: T, conditions: Record<string, (value: T) => boolean>, tags: Record<string, string> = {}): boolean {
  const outcomes = Object.fromEntries(Object.entries(conditions).map(([name, condition]) => [name, condition(value)]));
  recordedChecks.push({ tags, outcomes });
  return Object.values(outcomes).every(Boolean);
}

export function sleep(seconds: number): void {
  recordedSleepsSeconds.push(seconds);
}

export default { check, sleep };

/** Bounds for `EnvReader.number()`. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;
const SECONDS_PER_UNIT: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Reads a script's parameters from k6 environment variables (`k6 run -e NAME=value ...`, or the
 * shell's environment). A blank value counts as unset. Problems are collected rather than thrown
 * one by one: `done()` throws a single error naming every bad variable, its value and what is
 * allowed, so a typo stops the run in the init context, before any request is sent.
 */
export class EnvReader {
  readonly problems: string[] = [];

  /** The raw value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = __ENV[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  /** An http(s) URL without a trailing slash. */
  url(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) {
      this.problem(name, value, 'an http:// or https:// URL such as http://127.0.0.1:8080');
      return fallback;
    }
    return value.replace(/\/+$/, '');
  }

  number(name: string, fallback: number, rule: NumberRule = {}): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
    const { min = -Infinity, max = Infinity, integer = false } = rule;
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      this.problem(name, raw, `${integer ? 'an integer' : 'a number'}${describeRange(min, max)}`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = raw.toLowerCase();
    if (value === 'true' || value === '1' || value === 'yes') return true;
    if (value === 'false' || value === '0' || value === 'no') return false;
    this.problem(name, raw, 'true or false');
    return fallback;
  }

  /** A k6-style duration (`500ms`, `15s`, `2m`, `1m30s`, `1h`), returned in seconds. */
  durationSeconds(name: string, fallback: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const seconds = parseDurationSeconds(raw);
    if (seconds === undefined || seconds <= 0) {
      this.problem(name, raw, 'a positive duration such as 500ms, 15s, 2m or 1m30s');
      return fallback;
    }
    return seconds;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problem(name, raw, `one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  }

  /** A non-empty comma-separated list of distinct values from `allowed`. */
  list<T extends string>(name: string, fallback: readonly T[], allowed: readonly T[]): T[] {
    const raw = this.raw(name);
    if (raw === undefined) return [...fallback];
    const values = raw.split(',').map((value) => value.trim());
    const valid =
      values.every((value) => (allowed as readonly string[]).includes(value)) && new Set(values).size === values.length;
    if (!valid) {
      this.problem(name, raw, `a comma-separated list of distinct values from ${allowed.join(', ')}`);
      return [...fallback];
    }
    return values as T[];
  }

  /**
   * Integers by key over `fallback`: either one integer for every key (`250`) or comma-separated
   * `key=integer` pairs for some of them (`processes=400,async=300`).
   */
  integerMap<K extends string>(name: string, fallback: Readonly<Record<K, number>>): Record<K, number> {
    const result: Record<K, number> = { ...fallback };
    const raw = this.raw(name);
    if (raw === undefined) return result;
    const keys = Object.keys(fallback) as K[];
    if (/^\d+$/.test(raw)) {
      for (const key of keys) result[key] = Number(raw);
      return result;
    }
    for (const pair of raw.split(',')) {
      const match = /^\s*([\w-]+)\s*=\s*(\d+)\s*$/.exec(pair);
      if (match === null || !(keys as string[]).includes(match[1]!)) {
        this.problem(name, raw, `an integer, or comma-separated key=integer pairs with keys from ${keys.join(', ')}`);
        return { ...fallback };
      }
      result[match[1] as K] = Number(match[2]);
    }
    return result;
  }

  /** Throws one error listing every problem seen so far; call it once all variables are read. */
  done(): void {
    if (this.problems.length > 0) {
      throw new Error(`invalid environment variables:\n  ${this.problems.join('\n  ')}`);
    }
  }

  private problem(name: string, value: string, allowed: string): void {
    this.problems.push(`${name}=${JSON.stringify(value)}: expected ${allowed}`);
  }
}

function describeRange(min: number, max: number): string {
  if (min > -Infinity && max < Infinity) return ` from ${min} to ${max}`;
  if (min > -Infinity) return ` of at least ${min}`;
  if (max < Infinity) return ` of at most ${max}`;
  return '';
}

function parseDurationSeconds(text: string): number | undefined {
  let seconds = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (match === null) return undefined;
    seconds += Number(match[1]) * SECONDS_PER_UNIT[match[2]!]!;
  }
  return seconds;
}

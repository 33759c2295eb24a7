import { InvalidArgumentError } from 'commander';
import { getScenario, isScenarioName, parseSize, type ScenarioName } from '../scenarios/catalog.ts';

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000 } as const;

/**
 * A commander parser for a positive duration with a unit (`500ms`, `10s`, `1.5m`), in
 * milliseconds. A bare number is refused: `--duration 10` could mean seconds or milliseconds.
 */
export function durationOption(options: { allowZero?: boolean } = {}): (value: string) => number {
  const rule = `must be a ${options.allowZero === true ? 'non-negative' : 'positive'} duration with a unit: ms, s or m (for example 500ms, 10s, 1m).`;
  return (value) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)\s*$/.exec(value);
    if (match === null) throw new InvalidArgumentError(rule);
    const ms = Math.round(Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS]);
    if (!Number.isSafeInteger(ms) || ms < 0 || (ms === 0 && options.allowZero !== true)) throw new InvalidArgumentError(rule);
    return ms;
  };
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}

/** A commander parser for a comma-separated list of distinct names from a fixed set. */
export function nameListOption<T extends string>(names: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = splitList(value);
    const unknown = items.filter((item) => !(names as readonly string[]).includes(item));
    if (items.length === 0 || unknown.length > 0 || new Set(items).size !== items.length) {
      const problem = unknown.length > 0 ? `unknown: ${unknown.map((item) => JSON.stringify(item)).join(', ')}; ` : '';
      throw new InvalidArgumentError(`${problem}must be a comma-separated list of distinct names from ${names.join(', ')}.`);
    }
    return items as T[];
  };
}

/** A commander parser for a comma-separated list of distinct integers within bounds, sorted ascending. */
export function integerListOption(min: number, max: number): (value: string) => number[] {
  return (value) => {
    const items = splitList(value);
    const numbers = items.map((item) => (/^\d+$/.test(item) ? Number(item) : Number.NaN));
    if (numbers.some((number) => !Number.isSafeInteger(number) || number < min || number > max) || new Set(numbers).size !== numbers.length) {
      throw new InvalidArgumentError(`must be a comma-separated list of distinct integers from ${min} to ${max}.`);
    }
    return numbers.sort((a, b) => a - b);
  };
}

/** A commander parser for `scenario=size,...`; each size is checked against its scenario's bounds. */
export function sizesOption(value: string): Partial<Record<ScenarioName, number>> {
  const sizes: Partial<Record<ScenarioName, number>> = {};
  for (const item of splitList(value)) {
    const [name = '', raw, ...rest] = item.split('=').map((part) => part.trim());
    if (!isScenarioName(name) || raw === undefined || rest.length > 0) {
      throw new InvalidArgumentError(`"${item}" is not scenario=size; must be a comma-separated list such as matrix=200,thumbnail=1600.`);
    }
    try {
      sizes[name] = parseSize(getScenario(name), raw);
    } catch (error) {
      throw new InvalidArgumentError(`${(error as Error).message}.`);
    }
  }
  return sizes;
}

import { InvalidArgumentError } from 'commander';
import { ENV_SCHEMA } from '../config/env-schema.ts';

/** A commander parser for an integer within bounds; the message names the rule. */
export function integerOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}.`);
    return number;
  };
}

/** A commander parser for a decimal number within bounds. */
export function numberOption(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min && number <= max)) throw new InvalidArgumentError(`must be a number from ${min} to ${max}.`);
    return number;
  };
}

/** A commander parser for one value of a fixed set. */
export function choiceOption<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}.`);
    return value as T;
  };
}

/** An upstream URL, under the same rule as LAB_UPSTREAM_URL. */
export function upstreamUrlOption(value: string): string {
  const parsed = ENV_SCHEMA.LAB_UPSTREAM_URL.schema.safeParse(value);
  if (!parsed.success || parsed.data === undefined) throw new InvalidArgumentError(`must be ${ENV_SCHEMA.LAB_UPSTREAM_URL.allowed}.`);
  return parsed.data;
}

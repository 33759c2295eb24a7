// Test double of k6's `k6/metrics`: a Rate that keeps every sample it was given.

export interface RateSample {
  readonly value: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/** Every Rate made, by name. */
export const rates = new Map<string, Rate>();

export class Rate {
  readonly name: string;
  readonly samples: RateSample[] = [];

  constructor(name: string) {
    this.name = name;
    rates.set(name, this);
  }

  add(value: boolean | number, tags: Record<string, string> = {}): void {
    this.samples.push({ value: Boolean(value), tags });
  }
}

// Prometheus remote write (protocol 1.0) from a test: a prompb.WriteRequest encoded with
// protobufjs, compressed with snappy (block format), POSTed to /api/v1/write. Floats and native
// (exponential, integer) histograms, which is what k6's experimental-prometheus-rw output sends
// with K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM. The receiving Prometheus needs
// --web.enable-remote-write-receiver and --enable-feature=native-histograms (startPrometheus
// gives both).
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

// The messages of prometheus/prompb (remote.proto, types.proto) that a sender fills in.
const PROMPB = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Histogram histograms = 4;
}
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  int64 timestamp = 15;
}
`;
const WRITE_REQUEST = protobuf.parse(PROMPB, { keepCase: true }).root.lookupType('prometheus.WriteRequest');

/** An integer native histogram sample (counts only grow, as for a counter). */
export interface NativeHistogramSample {
  readonly timestampMs: number;
  readonly count: number;
  readonly sum: number;
  /** Resolution: bucket boundaries are powers of 2^(2^-schema). */
  readonly schema: number;
  /** Count of observations at or below zeroThreshold. */
  readonly zeroCount: number;
  readonly zeroThreshold: number;
  /** Positive buckets by index: bucket i holds (base^(i-1), base^i]. */
  readonly positiveBuckets: ReadonlyMap<number, number>;
}

/** One series: its labels (`__name__` included) and its samples, oldest first. */
export interface RemoteSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples?: readonly { readonly timestampMs: number; readonly value: number }[];
  readonly histograms?: readonly NativeHistogramSample[];
}

/**
 * A native histogram of `values` (all ≥ 0) at `schema`, as Prometheus' client libraries would
 * bucket them: values up to `zeroThreshold` in the zero bucket, the rest in exponential buckets.
 */
export function nativeHistogram(timestampMs: number, values: readonly number[], schema = 3, zeroThreshold = 2 ** -128): NativeHistogramSample {
  const buckets = new Map<number, number>();
  let zeroCount = 0;
  let sum = 0;
  for (const value of values) {
    sum += value;
    if (value <= zeroThreshold) {
      zeroCount++;
      continue;
    }
    const index = bucketIndex(value, schema);
    buckets.set(index, (buckets.get(index) ?? 0) + 1);
  }
  return { timestampMs, count: values.length, sum, schema, zeroCount, zeroThreshold, positiveBuckets: buckets };
}

/** The exponential bucket (base^(i-1), base^i] that holds value > 0, base = 2^(2^-schema). */
export function bucketIndex(value: number, schema: number): number {
  const index = Math.ceil(Math.log2(value) * 2 ** schema);
  // Guard against log2's rounding at an exact boundary: the upper bound is inclusive.
  const upper = (i: number): number => 2 ** (i / 2 ** schema);
  if (value > upper(index)) return index + 1;
  if (value <= upper(index - 1)) return index - 1;
  return index;
}

/** Sends `series` in one remote-write request; throws unless the receiver answers 2xx. */
export async function remoteWrite(url: string, series: readonly RemoteSeries[]): Promise<void> {
  const message = WRITE_REQUEST.fromObject({
    timeseries: series.map((one) => ({
      // The remote-write spec asks for labels sorted by name.
      labels: Object.entries(one.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => ({ name, value })),
      samples: (one.samples ?? []).map((sample) => ({ value: sample.value, timestamp: sample.timestampMs })),
      histograms: (one.histograms ?? []).map(encodeHistogram),
    })),
  });
  const body = snappy.compress(WRITE_REQUEST.encode(message).finish());
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`remote write to ${url} answered ${response.status}: ${text.slice(0, 500)}`);
}

/** One span over the lowest to the highest used bucket; counts as deltas (integer histogram). */
function encodeHistogram(sample: NativeHistogramSample): Record<string, unknown> {
  const indexes = [...sample.positiveBuckets.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  if (indexes.length > 0) {
    const first = indexes[0]!;
    const last = indexes.at(-1)!;
    spans.push({ offset: first, length: last - first + 1 });
    let previous = 0;
    for (let index = first; index <= last; index++) {
      const count = sample.positiveBuckets.get(index) ?? 0;
      deltas.push(count - previous);
      previous = count;
    }
  }
  return {
    count_int: sample.count,
    sum: sample.sum,
    schema: sample.schema,
    zero_threshold: sample.zeroThreshold,
    zero_count_int: sample.zeroCount,
    positive_spans: spans,
    positive_deltas: deltas,
    timestamp: sample.timestampMs,
  };
}

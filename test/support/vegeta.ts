// Request load for tests and benchmarks: a real vegeta (MIT, built by `npm run tools`) attacks
// loopback URLs at a constant open-loop rate, so a slow answer does not slow the sender down and
// hide itself (no coordinated omission). Each request carries its own fresh W3C traceparent,
// like the k6 scripts' requests. vegeta's per-request results (`vegeta encode -to json`) are
// read back whole, so counts, status codes and exact latency percentiles come from every hit,
// not from vegeta's approximate report.
//
//   const result = await attack({ targets: [{ method: 'POST', url: `${daemon.url}/api/v1/jobs/noop?strategy=threads` }], ratePerSecond: 50, durationMs: 2_000 });
//   result.requests; result.statusCodes[200]; result.latency().p99Ms; result.latency((hit) => hit.code === 200)
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from './started-process.ts';
import { resolveTool } from './tools.ts';

/** One kind of request; the attack sends its targets round-robin. */
export interface VegetaTarget {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  /** An http:// URL on the loopback (127.0.0.0/8, localhost or [::1]); anything else is refused. */
  readonly url: string;
  /** Sent with every request of this target, besides the fresh `traceparent`. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface AttackOptions {
  readonly targets: readonly VegetaTarget[];
  /** Requests started per second, whatever the answers do (open loop). Integer, 1..20000. */
  readonly ratePerSecond: number;
  /**
   * How long the attack sends, in ms (at most 10 minutes): ratePerSecond × durationMs / 1000
   * requests, or somewhat fewer when the machine is too busy for vegeta to keep the pace.
   */
  readonly durationMs: number;
  /** Per-request timeout, in ms. Default 30000. */
  readonly timeoutMs?: number;
  /** Response body bytes kept per hit (`VegetaHit.body`). Default 0: none. */
  readonly maxBodyBytes?: number;
  /** Cap on connections to the target host. Default: vegeta's (none). */
  readonly maxConnections?: number;
  /** Attack name, recorded in each hit. Default `lab`. */
  readonly name?: string;
  /** Send a fresh `traceparent` with each request. Default true. */
  readonly traceparent?: boolean;
}

/** One request as vegeta recorded it. */
export interface VegetaHit {
  readonly seq: number;
  /** HTTP status; 0 when no answer came (timeout, connection error). */
  readonly code: number;
  /** When the request was sent, unix ms. */
  readonly sentAtMs: number;
  /** Send to the end of the answer's body, ms. */
  readonly latencyMs: number;
  readonly method: string;
  readonly url: string;
  /** vegeta's error text, '' when none (an HTTP error status counts as one too). */
  readonly error: string;
  /** Response headers, names as the server sent them (Go canonical form, e.g. `Retry-After`). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** The first `maxBodyBytes` of the body. */
  readonly body: string;
}

/** Latency statistics over a set of hits, ms; percentiles by nearest rank. */
export interface LatencyStats {
  readonly count: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface AttackResult {
  readonly hits: readonly VegetaHit[];
  readonly requests: number;
  /** Hits by status code (0: no answer). */
  readonly statusCodes: Readonly<Record<number, number>>;
  /** Distinct error texts. */
  readonly errors: readonly string[];
  /** The trace ids of the traceparents written for this attack (a few more than were sent). */
  readonly traceIds: ReadonlySet<string>;
  /** Latency of the hits that `filter` keeps (default: all of them). */
  latency(filter?: (hit: VegetaHit) => boolean): LatencyStats;
}

const MAX_RATE_PER_SECOND = 20_000;
const MAX_DURATION_MS = 10 * 60_000;
/** Time vegeta gets past the attack's own length before it is killed. */
const EXIT_GRACE_MS = 15_000;

/** A fresh W3C traceparent: version 00, random trace and parent ids, sampled. */
export function traceparent(): string {
  return `00-${nonZeroHex(16)}-${nonZeroHex(8)}-01`;
}

/**
 * Runs one attack and returns every hit; rejects when vegeta fails or overruns its time. The
 * targets (one line, about 250 bytes, per request) and the results go to a temp folder that is
 * removed afterwards; every hit is kept in memory, so size long soaks accordingly.
 */
export async function attack(options: AttackOptions): Promise<AttackResult> {
  const { targets, ratePerSecond, durationMs } = options;
  if (targets.length === 0) throw new Error('attack: no targets');
  for (const target of targets) assertLoopback(target.url);
  if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1 || ratePerSecond > MAX_RATE_PER_SECOND) {
    throw new Error(`attack: ratePerSecond must be an integer from 1 to ${MAX_RATE_PER_SECOND}, not ${ratePerSecond}`);
  }
  if (!Number.isInteger(durationMs) || durationMs < 1 || durationMs > MAX_DURATION_MS) {
    throw new Error(`attack: durationMs must be an integer from 1 to ${MAX_DURATION_MS}, not ${durationMs}`);
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const vegeta = resolveTool('vegeta');
  const dir = await mkdtemp(join(tmpdir(), 'lab-vegeta-'));
  try {
    const targetsPath = join(dir, 'targets.jsonl');
    const resultsPath = join(dir, 'results.bin');
    // One target line per request (with -lazy, vegeta reads one per hit), so no traceparent is
    // sent twice; a few spare lines in case the pacer fits one more hit into the duration.
    const count = Math.ceil((ratePerSecond * durationMs) / 1000) + 2;
    const traceIds = new Set<string>();
    await writeFile(targetsPath, targetLines(targets, count, options.traceparent ?? true, traceIds));
    const args = [
      'attack',
      '-format=json',
      '-lazy',
      `-targets=${targetsPath}`,
      `-rate=${ratePerSecond}/1s`,
      `-duration=${durationMs}ms`,
      `-timeout=${timeoutMs}ms`,
      `-max-body=${options.maxBodyBytes ?? 0}`,
      `-name=${options.name ?? 'lab'}`,
      `-output=${resultsPath}`,
      ...(options.maxConnections === undefined ? [] : [`-max-connections=${options.maxConnections}`]),
    ];
    await runToEnd(vegeta, args, durationMs + timeoutMs + EXIT_GRACE_MS);
    const encoded = await runToEnd(vegeta, ['encode', '-to=json', resultsPath], 60_000);
    return resultOf(parseHits(encoded), traceIds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Nearest-rank percentile (0 < q ≤ 1) of ascending values; 0 for none. */
export function percentile(sortedAscending: readonly number[], q: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil(q * sortedAscending.length);
  return sortedAscending[Math.min(Math.max(rank, 1), sortedAscending.length) - 1]!;
}

export function latencyStats(hits: readonly VegetaHit[]): LatencyStats {
  const sorted = hits.map((hit) => hit.latencyMs).sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    minMs: sorted[0] ?? 0,
    meanMs: sorted.length === 0 ? 0 : sum / sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
  };
}

function resultOf(hits: VegetaHit[], traceIds: ReadonlySet<string>): AttackResult {
  const statusCodes: Record<number, number> = {};
  const errors = new Set<string>();
  for (const hit of hits) {
    statusCodes[hit.code] = (statusCodes[hit.code] ?? 0) + 1;
    if (hit.error !== '') errors.add(hit.error);
  }
  return {
    hits,
    requests: hits.length,
    statusCodes,
    errors: [...errors],
    traceIds,
    latency: (filter) => latencyStats(filter === undefined ? hits : hits.filter(filter)),
  };
}

interface EncodedHit {
  seq: number;
  code: number;
  timestamp: string;
  latency: number;
  method: string;
  url: string;
  error: string;
  headers: Record<string, string[]> | null;
  body: string | null;
}

function parseHits(jsonLines: string): VegetaHit[] {
  return jsonLines
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const hit = JSON.parse(line) as EncodedHit;
      return {
        seq: hit.seq,
        code: hit.code,
        sentAtMs: Date.parse(hit.timestamp),
        latencyMs: hit.latency / 1e6,
        method: hit.method,
        url: hit.url,
        error: hit.error,
        headers: hit.headers ?? {},
        body: hit.body === null ? '' : Buffer.from(hit.body, 'base64').toString('utf8'),
      };
    })
    .sort((a, b) => a.seq - b.seq);
}

function targetLines(targets: readonly VegetaTarget[], count: number, withTraceparent: boolean, traceIds: Set<string>): string {
  const lines: string[] = [];
  for (let index = 0; index < count; index++) {
    const target = targets[index % targets.length]!;
    const header: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(target.headers ?? {})) header[name] = [value];
    if (withTraceparent) {
      const value = traceparent();
      traceIds.add(value.slice(3, 35));
      header.traceparent = [value];
    }
    lines.push(JSON.stringify({ method: target.method, url: target.url, header }));
  }
  return `${lines.join('\n')}\n`;
}

/** Runs vegeta to its end within `deadlineMs` (then SIGKILL); its stdout, or an error with its output. */
async function runToEnd(command: string, args: readonly string[], deadlineMs: number): Promise<string> {
  const run = await startProcess(command, args);
  let stdout = '';
  run.child.stdout!.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const timer = setTimeout(() => void run.stop('SIGKILL'), deadlineMs);
  try {
    const { code, signal } = await run.exited;
    if (code !== 0) throw new Error(`vegeta ${args[0]} exited with code ${code}, signal ${signal}:\n${run.output().slice(-2000)}`);
    return stdout;
  } finally {
    clearTimeout(timer);
    await run.stop('SIGKILL');
  }
}

function assertLoopback(url: string): void {
  const { protocol, hostname } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (protocol !== 'http:' || !loopback) throw new Error(`attack: only http:// loopback targets are allowed, not ${url}`);
}

function nonZeroHex(byteCount: number): string {
  for (;;) {
    const bytes = randomBytes(byteCount);
    if (bytes.some((byte) => byte !== 0)) return bytes.toString('hex');
  }
}

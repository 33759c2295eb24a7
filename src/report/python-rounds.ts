import type { PythonCell, PythonRound } from './python-schema.ts';
import { median, spreadOf } from './spread.ts';

function medianOrNull(values: readonly (number | null)[]): number | null {
  return spreadOf(values).median;
}

function summarize(rounds: readonly PythonRound[]): PythonCell {
  const first = rounds[0]!;
  const errors: Record<string, number> = {};
  for (const round of rounds) for (const [name, count] of Object.entries(round.errors)) errors[name] = (errors[name] ?? 0) + count;
  const sum = (figure: (round: PythonRound) => number): number => rounds.reduce((total, round) => total + figure(round), 0);
  const latency = (pick: (round: PythonRound) => number | null): number | null => medianOrNull(rounds.map(pick));
  return {
    workload: first.workload,
    model: first.model,
    size: first.size,
    concurrency: first.concurrency,
    workers: first.workers,
    jobs: sum((round) => round.jobs),
    ok: sum((round) => round.ok),
    errors,
    wallSeconds: sum((round) => round.wallSeconds),
    jobsPerSecond: median(rounds.map((round) => round.jobsPerSecond)),
    latencyMs: {
      p50: latency((round) => round.latencyMs.p50),
      p90: latency((round) => round.latencyMs.p90),
      p99: latency((round) => round.latencyMs.p99),
      max: latency((round) => round.latencyMs.max),
      mean: latency((round) => round.latencyMs.mean),
    },
    cpuSeconds: sum((round) => round.cpuSeconds),
    coresUsed: median(rounds.map((round) => round.coresUsed)),
    cpuMsPerJob: medianOrNull(rounds.map((round) => round.cpuMsPerJob)),
    rounds: rounds.length,
    spread: {
      jobsPerSecond: spreadOf(rounds.map((round) => round.jobsPerSecond)),
      coresUsed: spreadOf(rounds.map((round) => round.coresUsed)),
      cpuMsPerJob: spreadOf(rounds.map((round) => round.cpuMsPerJob)),
    },
    runs: [...rounds],
  };
}

/**
 * One record per Python row from its rounds (in the order they ran): the same median and
 * min–max the Node cells get, so a Python row and a Node cell of one compare read alike.
 * Rows come in the order of their first round.
 */
export function summarizePythonRounds(rounds: readonly PythonRound[]): PythonCell[] {
  const rows = new Map<string, PythonRound[]>();
  for (const round of rounds) {
    const key = `${round.workload}/${round.model}/${round.concurrency}`;
    rows.set(key, [...(rows.get(key) ?? []), round]);
  }
  return [...rows.values()].map((row) => summarize(row.toSorted((a, b) => a.round - b.round)));
}

/** One place in an interleaved schedule: which cell, in which of its rounds (1-based). */
export interface ScheduledRound<Cell> {
  readonly cell: Cell;
  readonly round: number;
}

/**
 * Every cell once per round, `rounds` times, the order reversed every other round
 * (A B C, C B A, A B C, …). On a shared machine the background load drifts during a compare;
 * interleaving lets every cell see the same drift, and a cell's neighbours change from round
 * to round, so a ratio taken within one round (a speed-up) compares like with like.
 */
export function interleaveRounds<Cell>(cells: readonly Cell[], rounds: number): ScheduledRound<Cell>[] {
  const schedule: ScheduledRound<Cell>[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? cells : [...cells].reverse();
    for (const cell of order) schedule.push({ cell, round });
  }
  return schedule;
}

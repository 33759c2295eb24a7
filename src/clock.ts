/** Epoch milliseconds with sub-millisecond precision, comparable across threads and processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

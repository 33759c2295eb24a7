import type { Context } from '@opentelemetry/api';

/**
 * The job context behind each trace-context carrier this thread made. A task run on the main
 * thread (sequential, async) holds the very carrier object the job span was injected into, so
 * its execute span takes the job context from here instead of parsing the traceparent back
 * (W3C extract, with a new Context per call: 5 % of the main thread's busy time on http/async in
 * a --cpu-prof profile). A carrier that crossed to a worker is a copy and is not found. Weak:
 * an entry lives as long as its task.
 */
const parents = new WeakMap<object, Context>();

export function rememberLocalParent(carrier: object, parent: Context): void {
  parents.set(carrier, parent);
}

export function localParent(carrier: object): Context | undefined {
  return parents.get(carrier);
}

/**
 * How much a lab pod needs, for test/k8s/lab-consistency.test.ts to hold every overlay to (and
 * the comments of deploy/k8s/base/lab/deployment.yaml to quote).
 *
 * Memory: the daemon itself (Node, sharp, fastify, the OpenTelemetry SDK, the driver's jobs)
 * plus, per LAB_WORKERS, one worker thread and one child process, both pools being up at once.
 * `compare` measured an idle worker thread at 35 MB and a child process at 50 MB PSS (104 MB
 * RSS) on a 2-core VM (README, "How many fit"); the rest is room for the jobs' buffers (a
 * thumbnail decode, a matrix, an array of 10^6 doubles) while they run.
 */
export const LAB_MEMORY_BASE_MIB = 384;
export const LAB_MEMORY_PER_WORKER_MIB = 192;

/** The smallest memory limit for a lab pod with `workers` workers, in MiB. */
export function labMemoryFloorMiB(workers: number): number {
  return LAB_MEMORY_BASE_MIB + LAB_MEMORY_PER_WORKER_MIB * workers;
}

/**
 * The OpenTelemetry SDK's default for OTEL_BSP_EXPORT_TIMEOUT (ms): how long one span export
 * may take, and so the flush on shutdown when the variable is unset.
 */
export const OTEL_BSP_EXPORT_TIMEOUT_DEFAULT_MS = 30_000;

/** Seconds the pod gets beyond preStop + drain + flush to close its pools and exit. */
export const LAB_EXIT_MARGIN_SECONDS = 5;

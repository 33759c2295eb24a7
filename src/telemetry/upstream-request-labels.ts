import type { JobEnd } from '../jobs/job-observer.ts';

export interface UpstreamRequestLabels {
  /** 2xx … 5xx, or none when no response came. */
  status_class: string;
  /** none, timeout, connect, aborted or other. */
  error: string;
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

/**
 * How an http-scenario job went for the upstream, from what the job reported: a status
 * (result or error details), or the kind of failure. Undefined for a job that never reached
 * a worker (shed, or ended while queued), so no request was made.
 */
export function upstreamRequestLabels(end: JobEnd): UpstreamRequestLabels | undefined {
  // Shed, or cancelled or timed out while still waiting for a slot: no call was made.
  if (!end.dispatched) return undefined;
  switch (end.outcome) {
    case 'rejected':
      return undefined;
    case 'ok':
      return { status_class: statusClass((end.result as { status: number }).status), error: 'none' };
    case 'timeout':
      return { status_class: 'none', error: 'timeout' };
    case 'cancelled':
      return { status_class: 'none', error: 'aborted' };
    case 'error': {
      // An open circuit made no call.
      if (end.error?.code === 'LAB_ERR_UPSTREAM_CIRCUIT_OPEN') return undefined;
      const details = end.error?.details ?? {};
      if (typeof details.status === 'number') return { status_class: statusClass(details.status), error: 'none' };
      const code = String(details.errorCode ?? '');
      if (CONNECT_ERRORS.has(code)) return { status_class: 'none', error: 'connect' };
      if (TIMEOUT_ERRORS.has(code)) return { status_class: 'none', error: 'timeout' };
      return { status_class: 'none', error: 'other' };
    }
  }
}

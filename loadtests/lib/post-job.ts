import { check } from 'k6';
import http, { type RefinedResponse } from 'k6/http';
import { Rate } from 'k6/metrics';
import { traceparent } from './traceparent.ts';

/**
 * 1 for every job request the daemon shed (503, queue full), 0 for every other answer; tagged
 * with `strategy` like the requests. Exported to outputs as `shed` (k6_shed_rate in Prometheus).
 */
const shed = new Rate('shed');

/** Unexpected answers logged per VU, so a failing run says why without flooding the log. */
const LOGGED_FAILURES_PER_VU = 3;
let loggedFailures = 0;

/** One job: POST /api/v1/jobs/{scenario}?strategy=S&size=X. */
export interface JobRequest {
  readonly scenario: string;
  readonly strategy: string;
  readonly size: number;
}

/** How to send a job and what counts as a good answer. */
export interface PostJobOptions {
  /** Base URL of the daemon, without a trailing slash. */
  readonly baseUrl: string;
  /** k6 request timeout, e.g. `30s`. Default: k6's (60s). */
  readonly timeout?: string;
  /**
   * Count 503 (queue full, shed) as a correct answer in the checks. The script decides whether
   * k6 counts it as failed, with http.setResponseCallback(http.expectedStatuses(200, 503)).
   */
  readonly shedIsExpected?: boolean;
  /** Extra request tags (e.g. the stress step); `strategy` and `lab_scenario` are always set. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Runs one job through the daemon's API with a fresh traceparent, and checks the answer. Tags
 * every metric of the request with `strategy` and `lab_scenario` (k6's own `scenario` tag names
 * the k6 scenario, which the scripts name after the strategy), and `name` without the query
 * string so the URL doesn't multiply time series.
 */
export function postJob(job: JobRequest, options: PostJobOptions): RefinedResponse<'text'> {
  const { scenario, strategy, size } = job;
  const path = `/api/v1/jobs/${encodeURIComponent(scenario)}`;
  const tags: Record<string, string> = { ...options.tags, strategy, lab_scenario: scenario, name: `${options.baseUrl}${path}` };
  const params: { headers: Record<string, string>; tags: Record<string, string>; timeout?: string } = {
    headers: { traceparent: traceparent(), accept: 'application/json' },
    tags,
  };
  if (options.timeout !== undefined) params.timeout = options.timeout;
  const response = http.post(`${options.baseUrl}${path}?strategy=${encodeURIComponent(strategy)}&size=${size}`, null, params);

  const isShed = response.status === 503;
  shed.add(isShed, tags);
  const checkTags = { strategy, lab_scenario: scenario };
  if (isShed && options.shedIsExpected === true) {
    check(response, { 'shed (503) carries Retry-After': (r) => r.headers['Retry-After'] !== undefined }, checkTags);
  } else {
    if (response.status !== 200 && loggedFailures < LOGGED_FAILURES_PER_VU) {
      loggedFailures += 1;
      console.warn(`${strategy}/${scenario} size ${size}: ${response.status} ${response.error || String(response.body).slice(0, 300)}`);
    }
    check(
      response,
      {
        'status is 200': (r) => r.status === 200,
        'job ran the requested scenario and strategy': (r) => ranAsRequested(r, job),
      },
      checkTags,
    );
  }
  return response;
}

function ranAsRequested(response: RefinedResponse<'text'>, job: JobRequest): boolean {
  if (response.status !== 200 || typeof response.body !== 'string') return false;
  try {
    const body = JSON.parse(response.body) as { scenario?: unknown; strategy?: unknown; size?: unknown };
    return body.scenario === job.scenario && body.strategy === job.strategy && body.size === job.size;
  } catch {
    return false;
  }
}

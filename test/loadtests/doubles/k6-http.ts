// Test double of k6's `k6/http`: no network. Each request is recorded and answered by the
// responder a test sets with `respondWith` (default: 200 with an empty JSON body).

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly params: { readonly headers?: Record<string, string>; readonly tags?: Record<string, string>; readonly timeout?: string; readonly [key: string]: unknown };
}

/** The parts of k6's Response the lab's scripts read. */
export interface DoubleResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  error: string;
  json(): unknown;
}

type Responder = (request: RecordedRequest) => { status: number; body?: string; headers?: Record<string, string>; error?: string };

export const recordedRequests: RecordedRequest[] = [];
let responder: Responder = () => ({ status: 200, body: '{}' });
export let responseCallback: unknown;

export function respondWith(next: Responder): void {
  responder = next;
}

function request(method: string, url: string, body: unknown, params: RecordedRequest['params'] = {}): DoubleResponse {
  const recorded = { method, url, body, params };
  recordedRequests.push(recorded);
  const answer = responder(recorded);
  const text = answer.body ?? '';
  return { status: answer.status, body: text, headers: answer.headers ?? {}, error: answer.error ?? '', json: () => JSON.parse(text) };
}

export function get(url: string, params?: RecordedRequest['params']): DoubleResponse {
  return request('GET', url, null, params);
}

export function post(url: string, body: unknown, params?: RecordedRequest['params']): DoubleResponse {
  return request('POST', url, body, params);
}

export function expectedStatuses(...statuses: number[]): { expectedStatuses: number[] } {
  return { expectedStatuses: statuses };
}

export function setResponseCallback(callback: unknown): void {
  responseCallback = callback;
}

export default { get, post, expectedStatuses, setResponseCallback };

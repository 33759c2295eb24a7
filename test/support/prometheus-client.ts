/** One series of a query result: its labels and its samples as [unix seconds, value]. */
export interface PrometheusSeries {
  metric: Record<string, string>;
  /** Range queries: every sample. Instant queries: the one sample. Native histograms: their count. */
  values: Array<[number, number]>;
}

export interface PrometheusExemplar {
  labels: Record<string, string>;
  value: number;
  timestamp: number;
}

interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

type RawSample = [number, string];
type RawHistogram = [number, { count: string; sum: string }];
interface RawSeries {
  metric: Record<string, string>;
  value?: RawSample;
  values?: RawSample[];
  histogram?: RawHistogram;
  histograms?: RawHistogram[];
}
interface RawQueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: RawSeries[] | RawSample;
}

function toSeries(raw: RawSeries): PrometheusSeries {
  const floats = raw.values ?? (raw.value === undefined ? [] : [raw.value]);
  const histograms = raw.histograms ?? (raw.histogram === undefined ? [] : [raw.histogram]);
  return {
    metric: raw.metric,
    values: [
      ...floats.map(([t, v]): [number, number] => [t, Number(v)]),
      ...histograms.map(([t, h]): [number, number] => [t, Number(h.count)]),
    ],
  };
}

/** A thin client for the Prometheus HTTP API (v1); every call throws on an API error. */
export class PrometheusClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  async ready(): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/-/ready`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.ok;
  }

  /** Instant query at `timeSeconds` (default: now). Scalars come back as one label-less series. */
  async query(expr: string, timeSeconds?: number): Promise<PrometheusSeries[]> {
    const params: Record<string, string> = { query: expr };
    if (timeSeconds !== undefined) params.time = String(timeSeconds);
    return this.#series(await this.#call<RawQueryData>('/api/v1/query', params, expr));
  }

  async queryRange(expr: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<PrometheusSeries[]> {
    const params = { query: expr, start: String(startSeconds), end: String(endSeconds), step: String(stepSeconds) };
    return this.#series(await this.#call<RawQueryData>('/api/v1/query_range', params, expr));
  }

  async series(match: string, startSeconds?: number, endSeconds?: number): Promise<Array<Record<string, string>>> {
    const params: Record<string, string> = { 'match[]': match };
    if (startSeconds !== undefined) params.start = String(startSeconds);
    if (endSeconds !== undefined) params.end = String(endSeconds);
    return this.#call('/api/v1/series', params, match);
  }

  async labelValues(label: string): Promise<string[]> {
    return this.#call(`/api/v1/label/${encodeURIComponent(label)}/values`, {}, label);
  }

  async exemplars(expr: string, startSeconds: number, endSeconds: number): Promise<Array<{ seriesLabels: Record<string, string>; exemplars: PrometheusExemplar[] }>> {
    const raw = await this.#call<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }> }>>(
      '/api/v1/query_exemplars',
      { query: expr, start: String(startSeconds), end: String(endSeconds) },
      expr,
    );
    return raw.map((entry) => ({
      seriesLabels: entry.seriesLabels,
      exemplars: entry.exemplars.map((exemplar) => ({ ...exemplar, value: Number(exemplar.value) })),
    }));
  }

  /** Active scrape targets with their health, e.g. to wait until every target was scraped once. */
  async targets(): Promise<Array<{ job: string; health: 'up' | 'down' | 'unknown'; lastError: string; scrapeUrl: string }>> {
    const data = await this.#call<{ activeTargets: Array<{ labels: Record<string, string>; health: 'up' | 'down' | 'unknown'; lastError: string; scrapeUrl: string }> }>(
      '/api/v1/targets',
      { state: 'active' },
      'targets',
    );
    return data.activeTargets.map((target) => ({
      job: target.labels.job ?? '',
      health: target.health,
      lastError: target.lastError,
      scrapeUrl: target.scrapeUrl,
    }));
  }

  /** Loaded rule groups (recording and alerting) with each rule's health and last error. */
  async rules(): Promise<Array<{ group: string; name: string; type: 'recording' | 'alerting'; health: string; lastError?: string; query: string }>> {
    const data = await this.#call<{ groups: Array<{ name: string; rules: Array<{ name: string; type: 'recording' | 'alerting'; health: string; lastError?: string; query: string }> }> }>(
      '/api/v1/rules',
      {},
      'rules',
    );
    return data.groups.flatMap((group) => group.rules.map((rule) => ({ group: group.name, ...rule })));
  }

  #series(data: RawQueryData): PrometheusSeries[] {
    if (data.resultType === 'scalar') {
      const [t, v] = data.result as RawSample;
      return [{ metric: {}, values: [[t, Number(v)]] }];
    }
    if (data.resultType === 'string') return [];
    return (data.result as RawSeries[]).map(toSeries);
  }

  async #call<T>(path: string, params: Record<string, string>, what: string): Promise<T> {
    const query = new URLSearchParams(params).toString();
    const url = `${this.baseUrl}${path}${query === '' ? '' : `?${query}`}`;
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const text = await response.text();
    let body: ApiResponse<T>;
    try {
      body = JSON.parse(text) as ApiResponse<T>;
    } catch {
      throw new Error(`Prometheus ${path} answered ${response.status} with non-JSON for ${what}: ${text.slice(0, 500)}`);
    }
    if (body.status !== 'success') {
      throw new Error(`Prometheus ${path} failed for ${what}: ${body.errorType ?? response.status}: ${body.error ?? text.slice(0, 500)}`);
    }
    return body.data;
  }
}

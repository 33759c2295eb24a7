import { Pool } from 'undici';

export interface ApiLoadOptions {
  scenario: string;
  strategy: string;
  size: number;
  /** Requests kept in flight. */
  concurrency: number;
  durationMs: number;
  /** Sent with every request. */
  headers?: Record<string, string>;
}

/**
 * A closed loop of POST /api/v1/jobs/{scenario} against a daemon: `concurrency` lanes, each
 * sends the next request when the previous answered, until the deadline. Any answer but 200
 * fails the benchmark: a shed or failed job would flatter the throughput.
 */
export class ApiLoad {
  readonly #pool: Pool;

  constructor(baseUrl: string, connections: number) {
    this.#pool = new Pool(baseUrl, { connections, keepAliveTimeout: 30_000 });
  }

  /** Runs the loop; resolves with the jobs that answered 200. */
  async run(options: ApiLoadOptions): Promise<number> {
    const path = `/api/v1/jobs/${options.scenario}?strategy=${options.strategy}&size=${options.size}`;
    const deadline = performance.now() + options.durationMs;
    let ok = 0;
    const lane = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const response = await this.#pool.request({ path, method: 'POST', headers: options.headers });
        const body = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`POST ${path} answered ${response.statusCode}: ${body.slice(0, 200)}`);
        ok++;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, lane));
    return ok;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port.ts';
import { PrometheusClient } from './prometheus-client.ts';
import { type StartedProcess, startProcess } from './started-process.ts';
import { resolveTool } from './tools.ts';
import { waitFor } from './wait-for.ts';

export interface StartPrometheusOptions {
  /** The prometheus.yml to run, as YAML text or as an object to serialise. */
  config: string | object;
  /** Flags beyond the ones always given (listen address, storage, config, receivers). */
  extraArgs?: readonly string[];
  readyTimeoutMs?: number;
}

export interface RunningPrometheus {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Where senders post remote-write requests. */
  readonly remoteWriteUrl: string;
  readonly client: PrometheusClient;
  readonly process: StartedProcess;
  /** Stops the server (by pid) and deletes its storage and config. */
  stop(): Promise<void>;
}

/**
 * Starts a real Prometheus on a free loopback port with storage in a fresh temp directory. Like
 * the bundle's Prometheus it stores exemplars, takes remote writes (k6, Tempo's metrics
 * generator) and accepts native histograms.
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = resolveTool('prometheus');
  const dir = await mkdtemp(join(tmpdir(), 'lab-prometheus-'));
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, typeof options.config === 'string' ? options.config : stringify(options.config));
  // freePort only reserves the port until it returns: retry when something takes it first.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const started = await startProcess(binary, [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage,native-histograms',
      ...(options.extraArgs ?? []),
    ]);
    let exit: string | undefined;
    void started.exited.then(({ code, signal }) => {
      exit = `prometheus exited (code ${code}, signal ${signal})`;
    });
    const client = new PrometheusClient(url);
    try {
      await waitFor(() => client.ready(), {
        description: `prometheus to be ready at ${url}`,
        timeoutMs: options.readyTimeoutMs ?? 30_000,
        abortReason: () => exit,
      });
    } catch (error) {
      await started.stop('SIGKILL');
      if (attempt < 3 && /address already in use/.test(started.output())) continue;
      await rm(dir, { recursive: true, force: true });
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\n--- prometheus output ---\n${started.output().slice(-4000)}`, { cause: error });
    }
    return {
      url,
      remoteWriteUrl: `${url}/api/v1/write`,
      client,
      process: started,
      stop: async () => {
        await started.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

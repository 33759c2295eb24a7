/**
 * The sum of every sample of `name` at `baseUrl`/metrics (Prometheus text format) whose labels
 * include all of `labels`; 0 when no sample matches (a counter child that was never
 * incremented is not exported).
 */
export async function scrapeMetric(baseUrl: string, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const sampleLabels = match[2] ?? '';
    if (wanted.every((pair) => sampleLabels.includes(pair))) sum += Number(match[3]);
  }
  return sum;
}

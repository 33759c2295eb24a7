/** Kubernetes resource quantities (the forms the manifests use), as numbers. */

const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Readonly<Record<string, number>> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** CPU in cores: "2" → 2, "500m" → 0.5. */
export function cpuCores(quantity: string | number): number {
  const text = String(quantity);
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  if (match === null) throw new Error(`not a CPU quantity: ${text}`);
  return Number(match[1]) / (match[2] === 'm' ? 1000 : 1);
}

/** Memory in MiB: "768Mi" → 768, "2Gi" → 2048, "1G" → 953.67. */
export function memoryMiB(quantity: string | number): number {
  const text = String(quantity);
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(text);
  if (match === null) throw new Error(`not a memory quantity: ${text}`);
  const unit = match[2]!;
  return (Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit]!)) / 2 ** 20;
}

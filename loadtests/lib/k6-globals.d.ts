// Globals k6 provides that neither @types/k6 nor the ES libs (no DOM, no Node) declare.

interface ImportMeta {
  /** Resolves `specifier` against the importing module's URL (file:///... for local scripts). */
  resolve(specifier: string): string;
}

/** k6's console writes to k6's log (stderr), with the level in the record. */
declare var console: {
  log(...values: unknown[]): void;
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
  error(...values: unknown[]): void;
  debug(...values: unknown[]): void;
};

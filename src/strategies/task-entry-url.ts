/** The module both pools load in their workers. */
export const TASK_ENTRY_URL = new URL('./task-entry.ts', import.meta.url).href;

import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A real tool the tests drive; `npm run tools` (scripts/install-tools.sh) installs each. */
export type ToolName = 'vegeta' | 'otelcol-lab' | 'toxiproxy-server' | 'toxiproxy-cli' | 'prometheus' | 'promtool' | 'chromium' | 'kubectl' | 'kustomize';

/**
 * The tools cache, computed exactly like scripts/install-tools.sh:
 * `$LAB_TOOLS_DIR`, else `${XDG_CACHE_HOME:-$HOME/.cache}/concurrency-lab/tools`
 * (an empty variable counts as unset, as with the shell's `:-`).
 */
export function toolsDir(): string {
  const { LAB_TOOLS_DIR, XDG_CACHE_HOME, HOME } = process.env;
  if (LAB_TOOLS_DIR) return LAB_TOOLS_DIR;
  const cacheHome = XDG_CACHE_HOME || join(HOME || homedir(), '.cache');
  return join(cacheHome, 'concurrency-lab', 'tools');
}

/**
 * The absolute path of a tool: the cache's bin dir first (the pinned builds), then
 * PATH, then /usr/bin (Debian packages). Throws when it is nowhere.
 */
export function resolveTool(name: ToolName): string {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const dirs = [join(toolsDir(), 'bin'), ...pathDirs, '/usr/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new Error(
    `${name} is missing (looked in the tools cache ${dirs[0]}, PATH and /usr/bin); ` +
      'run `npm run tools` (scripts/install-tools.sh) to install it',
  );
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

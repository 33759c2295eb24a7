import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection, so a memory delta counts what is alive and not what is
 * merely not yet collected. The flag is switched on at run time (instead of asking users to
 * start Node with --expose-gc); a fresh context then sees the global `gc`.
 */
export function forceGc(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * One full garbage collection, asked for when podnet dns has loaded its
 * tables. The initial list of a large cluster is the process's one burst
 * of allocation: parsed pages promoted to the old generation, the
 * informer's list arrays. V8 would collect them only at its next full
 * collection, which a server answering from its tables may not reach for
 * a long time, so the resident set would carry tens of MB of dead pages.
 * (Through V8's own flag: Node offers no other way to ask.)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

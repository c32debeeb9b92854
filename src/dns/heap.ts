/**
 * Memory handed back once podnet dns has loaded its tables. The initial
 * list of a large cluster is the process's one burst of allocation: parsed
 * pages promoted to V8's old generation, and tens of MB of response
 * bodies through the C heap. V8 would collect the first only at its next
 * full collection, which a server answering from its tables may not reach
 * for a long time, and glibc keeps the second's freed arenas resident
 * until asked; either way the resident set would carry dead pages.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadNative } from '../native/native.js';

export function releaseLoadMemory(): void {
  // Through V8's own flag: Node offers no other way to ask for a full GC.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  loadNative()?.trimMalloc();
}

/** Namespaces: a delete marks the namespace Terminating; the namespace controller empties it and finalizes. */
import type { KObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';

export const namespaceStrategy: Strategy = {
  prepareForCreate(obj: KObject) {
    obj.status = { phase: 'Active' };
  },
  prepareForUpdate(obj: KObject, old: KObject, subresource?: string) {
    // spec.finalizers changes only through /finalize; the phase follows deletion.
    if (subresource !== 'finalize') obj.spec = structuredClone(old.spec);
    if (obj.metadata.deletionTimestamp) obj.status = { ...(obj.status as object), phase: 'Terminating' };
  },
};

/** Schemas of coordination (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { COORDINATION, META, arr, int32, obj, r, str, time } from './dsl.js';

export const coordinationDefinitions: Definitions = {
  [COORDINATION + 'Lease']: obj({
    kind: str(),
    apiVersion: str(),
    metadata: r(META + 'ObjectMeta'),
    spec: r(COORDINATION + 'LeaseSpec'),
  }),
  [COORDINATION + 'LeaseList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(COORDINATION + 'Lease')),
    },
    { required: ['items'] },
  ),
  [COORDINATION + 'LeaseSpec']: obj({
    holderIdentity: str(),
    leaseDurationSeconds: int32(),
    acquireTime: time(),
    renewTime: time(),
    leaseTransitions: int32(),
    strategy: str(),
    preferredHolder: str(),
  }),
};

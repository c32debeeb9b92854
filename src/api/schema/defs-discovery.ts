/** Schemas of discovery (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { CORE, DISCOVERY, META, arr, bool, int32, map, obj, r, str } from './dsl.js';

export const discoveryDefinitions: Definitions = {
  [DISCOVERY + 'EndpointSlice']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ObjectMeta'),
      addressType: str(),
      endpoints: arr(r(DISCOVERY + 'Endpoint'), { listType: 'atomic' }),
      ports: arr(r(DISCOVERY + 'EndpointPort'), { listType: 'atomic' }),
    },
    { required: ['addressType', 'endpoints'] },
  ),
  [DISCOVERY + 'EndpointSliceList']: obj(
    {
      kind: str(),
      apiVersion: str(),
      metadata: r(META + 'ListMeta'),
      items: arr(r(DISCOVERY + 'EndpointSlice')),
    },
    { required: ['items'] },
  ),
  [DISCOVERY + 'Endpoint']: obj(
    {
      addresses: arr(str(), { listType: 'set' }),
      conditions: r(DISCOVERY + 'EndpointConditions'),
      hostname: str(),
      targetRef: r(CORE + 'ObjectReference'),
      deprecatedTopology: map(str()),
      nodeName: str(),
      zone: str(),
      hints: r(DISCOVERY + 'EndpointHints'),
    },
    { required: ['addresses'] },
  ),
  [DISCOVERY + 'EndpointPort']: obj(
    {
      name: str(),
      protocol: str(),
      port: int32(),
      appProtocol: str(),
    },
    { atomic: true },
  ),
  [DISCOVERY + 'EndpointConditions']: obj({
    ready: bool(),
    serving: bool(),
    terminating: bool(),
  }),
  [DISCOVERY + 'EndpointHints']: obj({
    forZones: arr(r(DISCOVERY + 'ForZone'), { listType: 'atomic' }),
  }),
  [DISCOVERY + 'ForZone']: obj(
    {
      name: str(),
    },
    { required: ['name'] },
  ),
};

/** Schemas of core-volumes (field names, types and patch metadata as in Kubernetes 1.32). */
import type { Definitions } from './types.js';
import { CORE, META, arr, bool, int32, int64, obj, quantity, r, str } from './dsl.js';

export const coreVolumesDefinitions: Definitions = {
  [CORE + 'Volume']: obj(
    {
      name: str(),
      hostPath: r(CORE + 'HostPathVolumeSource'),
      emptyDir: r(CORE + 'EmptyDirVolumeSource'),
      secret: r(CORE + 'SecretVolumeSource'),
      persistentVolumeClaim: r(CORE + 'PersistentVolumeClaimVolumeSource'),
      downwardAPI: r(CORE + 'DownwardAPIVolumeSource'),
      configMap: r(CORE + 'ConfigMapVolumeSource'),
      projected: r(CORE + 'ProjectedVolumeSource'),
    },
    { required: ['name'] },
  ),
  [CORE + 'HostPathVolumeSource']: obj(
    {
      path: str(),
      type: str(),
    },
    { required: ['path'] },
  ),
  [CORE + 'EmptyDirVolumeSource']: obj({
    medium: str(),
    sizeLimit: quantity(),
  }),
  [CORE + 'SecretVolumeSource']: obj({
    secretName: str(),
    items: arr(r(CORE + 'KeyToPath'), { listType: 'atomic' }),
    defaultMode: int32(),
    optional: bool(),
  }),
  [CORE + 'PersistentVolumeClaimVolumeSource']: obj(
    {
      claimName: str(),
      readOnly: bool(),
    },
    { required: ['claimName'] },
  ),
  [CORE + 'DownwardAPIVolumeSource']: obj({
    items: arr(r(CORE + 'DownwardAPIVolumeFile'), { listType: 'atomic' }),
    defaultMode: int32(),
  }),
  [CORE + 'ConfigMapVolumeSource']: obj({
    name: str(),
    items: arr(r(CORE + 'KeyToPath'), { listType: 'atomic' }),
    defaultMode: int32(),
    optional: bool(),
  }),
  [CORE + 'ProjectedVolumeSource']: obj({
    sources: arr(r(CORE + 'VolumeProjection'), { listType: 'atomic' }),
    defaultMode: int32(),
  }),
  [CORE + 'KeyToPath']: obj(
    {
      key: str(),
      path: str(),
      mode: int32(),
    },
    { required: ['key', 'path'] },
  ),
  [CORE + 'DownwardAPIVolumeFile']: obj(
    {
      path: str(),
      fieldRef: r(CORE + 'ObjectFieldSelector'),
      resourceFieldRef: r(CORE + 'ResourceFieldSelector'),
      mode: int32(),
    },
    { required: ['path'] },
  ),
  [CORE + 'VolumeProjection']: obj({
    secret: r(CORE + 'SecretProjection'),
    downwardAPI: r(CORE + 'DownwardAPIProjection'),
    configMap: r(CORE + 'ConfigMapProjection'),
    serviceAccountToken: r(CORE + 'ServiceAccountTokenProjection'),
    clusterTrustBundle: r(CORE + 'ClusterTrustBundleProjection'),
  }),
  [CORE + 'SecretProjection']: obj({
    name: str(),
    items: arr(r(CORE + 'KeyToPath'), { listType: 'atomic' }),
    optional: bool(),
  }),
  [CORE + 'DownwardAPIProjection']: obj({
    items: arr(r(CORE + 'DownwardAPIVolumeFile'), { listType: 'atomic' }),
  }),
  [CORE + 'ConfigMapProjection']: obj({
    name: str(),
    items: arr(r(CORE + 'KeyToPath'), { listType: 'atomic' }),
    optional: bool(),
  }),
  [CORE + 'ServiceAccountTokenProjection']: obj(
    {
      audience: str(),
      expirationSeconds: int64(),
      path: str(),
    },
    { required: ['path'] },
  ),
  [CORE + 'ClusterTrustBundleProjection']: obj(
    {
      name: str(),
      signerName: str(),
      labelSelector: r(META + 'LabelSelector'),
      optional: bool(),
      path: str(),
    },
    { required: ['path'] },
  ),
};

/**
 * The scale subresource (deployments/scale, replicasets/scale,
 * statefulsets/scale): an autoscaling/v1 Scale view of the parent's
 * spec.replicas, read, replaced and patched the way kubectl scale and
 * autoscalers use it. A write changes only spec.replicas of the parent.
 */
import { errors } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import { labelSelectorFromObject, labelSelectorString, type LabelSelectorObject } from '../../api/selectors/index.js';
import { decodeBody, mediaType } from '../http/body.js';
import type { Representation } from '../http/negotiate.js';
import { jsonReply, yamlReply, type Reply } from '../http/reply.js';
import type { ResourceRequest } from '../request-info.js';
import { toTable } from '../tables/index.js';
import type { ResourceHandlerDeps } from './resource.js';
import { writeParams } from './resource.js';

/** Scale's own resource description, for its schema (patches) and its Table (the default printer). */
const scaleInfo: ResourceInfo = {
  group: 'autoscaling',
  version: 'v1',
  resource: 'scale',
  singular: 'scale',
  kind: 'Scale',
  listKind: 'ScaleList',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ['get', 'patch', 'update'],
  subresources: [],
};

interface Scalable {
  spec?: { replicas?: number; selector?: LabelSelectorObject };
  status?: { replicas?: number };
}

/** The selector as kube prints it in status.selector: requirements sorted by key. */
function selectorText(sel: LabelSelectorObject | undefined): string {
  const parsed = labelSelectorFromObject(sel);
  if (parsed === 'nothing') return '';
  const requirements = [...parsed.requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return labelSelectorString({ requirements });
}

/** The Scale view of a workload. */
function scaleOf(obj: KObject): KObject {
  const o = obj as KObject & Scalable;
  const md = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: md.name,
      namespace: md.namespace,
      uid: md.uid,
      resourceVersion: md.resourceVersion,
      creationTimestamp: md.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: selectorText(o.spec?.selector) },
  };
}

function replicasOf(scale: KObject, name: string): number {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas))
    throw errors.badRequest(`Scale in version "v1" cannot be handled as a Scale: spec.replicas must be an integer`);
  if (replicas < 0)
    throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
      {
        type: 'FieldValueInvalid',
        field: 'spec.replicas',
        value: replicas,
        detail: 'must be greater than or equal to 0',
      },
    ]);
  return replicas;
}

function render(repr: Representation, scale: KObject): Reply {
  if (repr.as === 'table')
    return jsonReply(
      200,
      toTable(scaleInfo, [scale], {
        includeObject: 'Metadata',
        version: repr.version,
        listMeta: { resourceVersion: scale.metadata.resourceVersion },
      }),
    );
  if (repr.as === 'metadata')
    return jsonReply(200, {
      kind: 'PartialObjectMetadata',
      apiVersion: `meta.k8s.io/${repr.version}`,
      metadata: scale.metadata,
    });
  return repr.format === 'yaml' ? yamlReply(200, scale) : jsonReply(200, scale);
}

export async function handleScale(
  deps: ResourceHandlerDeps,
  req: ResourceRequest,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
  body: string,
  repr: Representation,
): Promise<Reply> {
  const { registry, rules } = deps;
  const { ri, namespace } = req;
  const name = req.name!;
  switch (req.verb) {
    case 'get':
      return render(repr, scaleOf(await registry.get(ri, namespace, name)));
    case 'update': {
      const wp = writeParams(query, headers, 'UpdateOptions');
      const scale = decodeBody(body, headers['content-type']) as KObject;
      if (scale?.kind !== 'Scale')
        throw errors.badRequest(
          `${String(scale?.kind)} in version "${String(scale?.apiVersion)}" cannot be handled as a Scale: the object provided is unrecognized (expected autoscaling/v1, Kind=Scale)`,
        );
      if (scale.metadata?.name !== undefined && scale.metadata.name !== name)
        throw errors.badRequest(
          `the name of the object (${scale.metadata.name}) does not match the name on the URL (${name})`,
        );
      const replicas = replicasOf(scale, name);
      const rv = scale.metadata?.resourceVersion;
      const updated = await registry.modify(
        ri,
        namespace,
        name,
        wp,
        (live) => {
          (live.spec as { replicas?: number }).replicas = replicas;
          if (rv) live.metadata.resourceVersion = rv;
          return live;
        },
        'scale',
      );
      return render(repr, scaleOf(updated));
    }
    case 'patch': {
      const wp = writeParams(query, headers, 'PatchOptions');
      const type = mediaType(headers['content-type']);
      if (
        ![
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/strategic-merge-patch+json',
        ].includes(type)
      )
        throw errors.unsupportedMediaType(headers['content-type'] ?? '');
      const updated = await registry.modify(
        ri,
        namespace,
        name,
        wp,
        (live) => {
          const patched = rules.patch(scaleInfo, type, scaleOf(live), body);
          (live.spec as { replicas?: number }).replicas = replicasOf(patched, name);
          const rv = patched.metadata?.resourceVersion;
          // Only a resourceVersion the patch names is a precondition.
          if (rv && rv !== live.metadata.resourceVersion) live.metadata.resourceVersion = rv;
          else delete live.metadata.resourceVersion;
          return live;
        },
        'scale',
      );
      return render(repr, scaleOf(updated));
    }
    default:
      throw errors.methodNotAllowed(req.verb, { group: ri.group, resource: `${ri.resource}/scale` });
  }
}

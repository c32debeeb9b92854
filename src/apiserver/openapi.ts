/**
 * The OpenAPI documents kubectl reads, built from api/schema and
 * api/resources.ts (pure functions; the HTTP layer writes them out):
 *  - GET /openapi/v3            -> openapiV3Index()
 *  - GET /openapi/v3/<gv path>  -> openapiV3Document("api/v1" | "apis/<group>/<version>")
 *  - GET /openapi/v2            -> openapiV2Document() (JSON; protobuf in openapi-v2-proto.ts)
 *
 * What kubectl looks for (1.27 to 1.33):
 *  - cli-runtime QueryParamVerifierV3: in the group version's v3 document, the
 *    first PATCH operation whose x-kubernetes-group-version-kind matches must
 *    list a query parameter named "fieldValidation"; otherwise `kubectl create`
 *    falls back to client-side validation. Every PATCH here lists it.
 *  - kubectl apply (gvkSupportsPatchOpenAPIV3): that PATCH operation's
 *    requestBody must offer application/strategic-merge-patch+json; then the
 *    component schema whose x-kubernetes-group-version-kind (a list) matches
 *    drives the three-way patch through x-kubernetes-patch-merge-key /
 *    x-kubernetes-patch-strategy, following "#/components/schemas/" refs.
 *    A field missing from the schema makes kubectl warn and fall back.
 *  - kubectl explain: finds the GVK on an operation of
 *    /api[s]/.../[namespaces/{namespace}/]<resource>[/{name}], then the schema.
 */
import { createHash } from 'node:crypto';
import { resources, type ResourceInfo, type SubresourceInfo, type Verb } from '../api/resources.js';
import { definitions, kindDefinitions, type KindDefinition } from '../api/schema/index.js';
import type { Schema } from '../api/schema/types.js';
import { serverVersion } from './discovery.js';

type Json = Record<string, unknown>;
type OpenAPIVersion = 2 | 3;

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const WATCH_EVENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent';

/** The request bodies kube-apiserver accepts for PATCH, in the order it lists them. */
export const patchContentTypes = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

const responseTypes = ['application/json', 'application/yaml'];
const watchResponseTypes = ['application/json', 'application/yaml', 'application/json;stream=watch'];

const refPrefix = (v: OpenAPIVersion): string => (v === 3 ? '#/components/schemas/' : '#/definitions/');

// ---------------------------------------------------------------- schemas

/** One DSL schema as an OpenAPI schema object, with the Kubernetes extensions. */
function toOpenAPISchema(s: Schema, v: OpenAPIVersion): Json {
  const out: Json = schemaBody(s, v);
  if (s.description) out['description'] = s.description;
  return out;
}

function schemaBody(s: Schema, v: OpenAPIVersion): Json {
  switch (s.type) {
    case 'string': {
      const o: Json = { type: 'string' };
      if (s.format) o['format'] = s.format;
      if (s.enum) o['enum'] = [...s.enum];
      return o;
    }
    case 'integer':
      return s.format ? { type: 'integer', format: s.format } : { type: 'integer' };
    case 'number':
      return s.format ? { type: 'number', format: s.format } : { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int-or-string':
      return { $ref: refPrefix(v) + INT_OR_STRING };
    case 'quantity':
      return { $ref: refPrefix(v) + QUANTITY };
    case 'any':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'ref':
      return { $ref: refPrefix(v) + s.ref };
    case 'map': {
      const o: Json = { type: 'object', additionalProperties: toOpenAPISchema(s.values, v) };
      if (s.atomic) o['x-kubernetes-map-type'] = 'atomic';
      return o;
    }
    case 'array': {
      const o: Json = { type: 'array', items: toOpenAPISchema(s.items, v) };
      if (s.listType) o['x-kubernetes-list-type'] = s.listType;
      if (s.listMapKeys) o['x-kubernetes-list-map-keys'] = [...s.listMapKeys];
      if (s.mergeKey) o['x-kubernetes-patch-merge-key'] = s.mergeKey;
      if (s.patchStrategy) o['x-kubernetes-patch-strategy'] = s.patchStrategy;
      return o;
    }
    case 'object': {
      const props: Json = {};
      for (const [k, p] of Object.entries(s.properties)) props[k] = toOpenAPISchema(p, v);
      const o: Json = { type: 'object', properties: props };
      if (s.required?.length) o['required'] = [...s.required];
      if (s.atomic) o['x-kubernetes-map-type'] = 'atomic';
      if (s.retainKeys) o['x-kubernetes-patch-strategy'] = 'retainKeys';
      return o;
    }
  }
}

/** Definitions that have no DSL counterpart: the named scalars and the PATCH body. */
function builtinSchemas(v: OpenAPIVersion): Record<string, Json> {
  return {
    [INT_OR_STRING]:
      v === 3
        ? {
            oneOf: [{ type: 'integer' }, { type: 'string' }],
            format: 'int-or-string',
            'x-kubernetes-int-or-string': true,
          }
        : { type: 'string', format: 'int-or-string' },
    [QUANTITY]: v === 3 ? { oneOf: [{ type: 'string' }, { type: 'number' }] } : { type: 'string' },
    [PATCH]: { type: 'object', description: 'The body of a PATCH request, in one of the patch content types.' },
  };
}

/** Names of the definitions reachable from `roots` (refs and named scalars included). */
function closure(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (s: Schema): void => {
    switch (s.type) {
      case 'ref':
        return visitName(s.ref);
      case 'int-or-string':
        seen.add(INT_OR_STRING);
        return;
      case 'quantity':
        seen.add(QUANTITY);
        return;
      case 'array':
        return visit(s.items);
      case 'map':
        return visit(s.values);
      case 'object':
        Object.values(s.properties).forEach(visit);
        return;
      default:
        return;
    }
  };
  const visitName = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const d = definitions[name];
    if (d) visit(d);
  };
  roots.forEach(visitName);
  return seen;
}

function schemasFor(names: Iterable<string>, kinds: KindDefinition[], v: OpenAPIVersion): Record<string, Json> {
  const builtins = builtinSchemas(v);
  const out: Record<string, Json> = {};
  for (const name of [...names].sort()) {
    const d = definitions[name];
    const schema = d ? toOpenAPISchema(d, v) : builtins[name];
    if (!schema) continue;
    const gvks = kinds
      .filter((k) => k.definition === name)
      .map((k) => ({ group: k.group, kind: k.kind, version: k.version }));
    if (gvks.length) schema['x-kubernetes-group-version-kind'] = gvks;
    out[name] = schema;
  }
  return out;
}

// ---------------------------------------------------------------- paths

interface Param {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

const p = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', type, description });
const params = {
  pretty: p('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: p(
    'dryRun',
    'string',
    'When present, indicates that modifications should not be persisted. Valid value: All.',
  ),
  fieldManager: p('fieldManager', 'string', 'A name associated with the actor or entity that is making these changes.'),
  fieldValidation: p(
    'fieldValidation',
    'string',
    'How the server treats fields of the request object it does not know: Ignore, Warn (default) or Strict.',
  ),
  force: p(
    'force',
    'boolean',
    'Force is going to "force" Apply requests (re-acquire conflicting fields). Must be unset for non-apply patch requests.',
  ),
  allowWatchBookmarks: p('allowWatchBookmarks', 'boolean', 'Requests watch events with type "BOOKMARK".'),
  continue: p('continue', 'string', 'The continue token of a previous paginated list call.'),
  fieldSelector: p('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'),
  labelSelector: p('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'),
  limit: p('limit', 'integer', 'The maximum number of responses to return for a list call.'),
  resourceVersion: p('resourceVersion', 'string', 'Constrains which resource versions the request may be served from.'),
  resourceVersionMatch: p(
    'resourceVersionMatch',
    'string',
    'How resourceVersion is applied to list calls: Exact or NotOlderThan.',
  ),
  sendInitialEvents: p(
    'sendInitialEvents',
    'boolean',
    'Start a watch stream with synthetic events for the current state.',
  ),
  timeoutSeconds: p('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  watch: p(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  ),
  gracePeriodSeconds: p(
    'gracePeriodSeconds',
    'integer',
    'The duration in seconds before the object should be deleted.',
  ),
  ignoreStoreReadErrorWithClusterBreakingPotential: p(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'Delete a corrupt object that cannot be read from storage (unsafe).',
  ),
  orphanDependents: p('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  propagationPolicy: p(
    'propagationPolicy',
    'string',
    'Whether and how garbage collection is performed: Orphan, Background or Foreground.',
  ),
  name: { name: 'name', in: 'path', type: 'string', description: 'name of the object', required: true } as Param,
  namespace: {
    name: 'namespace',
    in: 'path',
    type: 'string',
    description: 'object name and auth scope, such as for teams and projects',
    required: true,
  } as Param,
};
const listParams = [
  params.allowWatchBookmarks,
  params.continue,
  params.fieldSelector,
  params.labelSelector,
  params.limit,
  params.resourceVersion,
  params.resourceVersionMatch,
  params.sendInitialEvents,
  params.timeoutSeconds,
  params.watch,
];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];
const patchParams = [params.dryRun, params.fieldManager, params.fieldValidation, params.force];
const deleteParams = [
  params.dryRun,
  params.gracePeriodSeconds,
  params.ignoreStoreReadErrorWithClusterBreakingPotential,
  params.orphanDependents,
  params.propagationPolicy,
];

type Action =
  'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';

interface Op {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  action: Action;
  operationId: string;
  description: string;
  kind: { group: string; version: string; kind: string };
  /** The resource's group version when the kind is another's (scale: autoscaling/v1 Scale, tagged apps_v1). */
  tagOf?: { group: string; version: string };
  params: Param[];
  body?: { ref: string; contentTypes: readonly string[]; required: boolean };
  /** Response definition per status code; a missing ref means a plain string body. */
  responses: { code: string; description: string; ref?: string }[];
  produces: readonly string[];
}

interface PathEntry {
  path: string;
  params: Param[];
  ops: Op[];
}

function groupIdent(group: string): string {
  const first = group === '' ? 'core' : group.split('.')[0]!;
  return first.charAt(0).toUpperCase() + first.slice(1);
}
const tagOf = (ri: { group: string; version: string }): string =>
  `${ri.group === '' ? 'core' : ri.group.split('.')[0]}_${ri.version}`;
const prefixOf = (ri: ResourceInfo): string =>
  ri.group === '' ? `/api/${ri.version}` : `/apis/${ri.group}/${ri.version}`;
const defPrefix = (ri: ResourceInfo): string =>
  kindDefinitions()
    .find((k) => k.group === ri.group && k.version === ri.version && k.kind === ri.kind)!
    .definition.slice(0, -ri.kind.length);

const ok = (ref: string): Op['responses'][number] => ({ code: '200', description: 'OK', ref });

function resourcePaths(ri: ResourceInfo): PathEntry[] {
  const has = (v: Verb): boolean => ri.verbs.includes(v);
  const gvk = { group: ri.group, version: ri.version, kind: ri.kind };
  const id = `${groupIdent(ri.group)}${ri.version.charAt(0).toUpperCase()}${ri.version.slice(1)}`;
  const scope = ri.namespaced ? 'Namespaced' : '';
  const def = defPrefix(ri) + ri.kind;
  const listDef = defPrefix(ri) + ri.listKind;
  const base = prefixOf(ri);
  const collection = ri.namespaced ? `${base}/namespaces/{namespace}/${ri.resource}` : `${base}/${ri.resource}`;
  const nsParam = ri.namespaced ? [params.namespace] : [];
  const out: PathEntry[] = [];
  const op = (o: Omit<Op, 'kind' | 'produces'> & { produces?: readonly string[] }): Op => ({
    kind: gvk,
    produces: responseTypes,
    ...o,
  });

  const collOps: Op[] = [];
  if (has('list'))
    collOps.push(
      op({
        method: 'get',
        action: 'list',
        operationId: `list${id}${scope}${ri.kind}`,
        description: `list or watch objects of kind ${ri.kind}`,
        params: listParams,
        responses: [ok(listDef)],
        produces: watchResponseTypes,
      }),
    );
  if (has('create'))
    collOps.push(
      op({
        method: 'post',
        action: 'post',
        operationId: `create${id}${scope}${ri.kind}`,
        description: `create ${article(ri.kind)} ${ri.kind}`,
        params: writeParams,
        body: { ref: def, contentTypes: ['*/*'], required: true },
        responses: [
          ok(def),
          { code: '201', description: 'Created', ref: def },
          { code: '202', description: 'Accepted', ref: def },
        ],
      }),
    );
  if (has('deletecollection'))
    collOps.push(
      op({
        method: 'delete',
        action: 'deletecollection',
        operationId: `delete${id}Collection${scope}${ri.kind}`,
        description: `delete collection of ${ri.kind}`,
        params: [...listParams.filter((x) => x !== params.watch && x !== params.allowWatchBookmarks), ...deleteParams],
        body: { ref: DELETE_OPTIONS, contentTypes: ['*/*'], required: false },
        responses: [ok(STATUS)],
      }),
    );
  if (collOps.length) out.push({ path: collection, params: [...nsParam, params.pretty], ops: collOps });

  const item = `${collection}/{name}`;
  const itemOps: Op[] = [];
  if (has('get'))
    itemOps.push(
      op({
        method: 'get',
        action: 'get',
        operationId: `read${id}${scope}${ri.kind}`,
        description: `read the specified ${ri.kind}`,
        params: [],
        responses: [ok(def)],
      }),
    );
  if (has('update'))
    itemOps.push(
      op({
        method: 'put',
        action: 'put',
        operationId: `replace${id}${scope}${ri.kind}`,
        description: `replace the specified ${ri.kind}`,
        params: writeParams,
        body: { ref: def, contentTypes: ['*/*'], required: true },
        responses: [ok(def), { code: '201', description: 'Created', ref: def }],
      }),
    );
  if (has('delete'))
    itemOps.push(
      op({
        method: 'delete',
        action: 'delete',
        operationId: `delete${id}${scope}${ri.kind}`,
        description: `delete ${article(ri.kind)} ${ri.kind}`,
        params: deleteParams,
        body: { ref: DELETE_OPTIONS, contentTypes: ['*/*'], required: false },
        responses: [ok(def), { code: '202', description: 'Accepted', ref: def }],
      }),
    );
  if (has('patch'))
    itemOps.push(
      op({
        method: 'patch',
        action: 'patch',
        operationId: `patch${id}${scope}${ri.kind}`,
        description: `partially update the specified ${ri.kind}`,
        params: patchParams,
        body: { ref: PATCH, contentTypes: patchContentTypes, required: true },
        responses: [ok(def), { code: '201', description: 'Created', ref: def }],
      }),
    );
  if (itemOps.length) out.push({ path: item, params: [params.name, ...nsParam, params.pretty], ops: itemOps });

  if (ri.namespaced && has('list')) {
    out.push({
      path: `${base}/${ri.resource}`,
      params: [params.pretty, ...listParams],
      ops: [
        op({
          method: 'get',
          action: 'list',
          operationId: `list${id}${ri.kind}ForAllNamespaces`,
          description: `list or watch objects of kind ${ri.kind}`,
          params: [],
          responses: [ok(listDef)],
          produces: watchResponseTypes,
        }),
      ],
    });
  }
  if (has('watch')) {
    const watchOp = (action: 'watch' | 'watchlist', operationId: string, description: string): Op =>
      op({
        method: 'get',
        action,
        operationId,
        description,
        params: [],
        responses: [ok(WATCH_EVENT)],
        produces: watchResponseTypes,
      });
    const watchColl = ri.namespaced
      ? `${base}/watch/namespaces/{namespace}/${ri.resource}`
      : `${base}/watch/${ri.resource}`;
    out.push({
      path: watchColl,
      params: [...nsParam, params.pretty, ...listParams],
      ops: [
        watchOp(
          'watchlist',
          `watch${id}${scope}${ri.kind}List`,
          `watch individual changes to a list of ${ri.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        ),
      ],
    });
    out.push({
      path: `${watchColl}/{name}`,
      params: [params.name, ...nsParam, params.pretty, ...listParams],
      ops: [
        watchOp(
          'watch',
          `watch${id}${scope}${ri.kind}`,
          `watch changes to an object of kind ${ri.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
        ),
      ],
    });
    if (ri.namespaced)
      out.push({
        path: `${base}/watch/${ri.resource}`,
        params: [params.pretty, ...listParams],
        ops: [
          watchOp(
            'watchlist',
            `watch${id}${ri.kind}ListForAllNamespaces`,
            `watch individual changes to a list of ${ri.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
          ),
        ],
      });
  }
  for (const sub of ri.subresources) {
    const entry = subresourcePath(ri, sub, item, id, scope, nsParam);
    if (entry) out.push(entry);
  }
  return out;
}

function subresourcePath(
  ri: ResourceInfo,
  sub: SubresourceInfo,
  item: string,
  id: string,
  scope: string,
  nsParam: Param[],
): PathEntry | undefined {
  const Sub = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const kind = { group: sub.group ?? ri.group, version: sub.version ?? ri.version, kind: sub.kind };
  const def =
    sub.group === undefined
      ? defPrefix(ri) + sub.kind
      : (kindDefinitions().find((k) => k.group === kind.group && k.version === kind.version && k.kind === kind.kind)
          ?.definition ?? '');
  const ops: Op[] = [];
  const mk = (o: Omit<Op, 'kind' | 'produces'> & { produces?: readonly string[] }): Op => ({
    kind,
    tagOf: { group: ri.group, version: ri.version },
    produces: responseTypes,
    ...o,
  });
  if (sub.streaming) {
    // log, exec, attach, portforward: connect operations with a plain-string body, as kube-apiserver lists them.
    const plain = ['*/*'];
    if (sub.name === 'log') {
      ops.push(
        mk({
          method: 'get',
          action: 'get',
          operationId: `read${id}${scope}${ri.kind}Log`,
          description: `read log of the specified ${ri.kind}`,
          params: [],
          responses: [{ code: '200', description: 'OK' }],
          produces: ['text/plain', 'application/json', 'application/yaml'],
        }),
      );
    } else {
      for (const method of sub.verbs.includes('get') ? (['get', 'post'] as const) : (['post'] as const)) {
        const verb = method === 'get' ? 'Get' : 'Post';
        ops.push(
          mk({
            method,
            action: 'connect',
            operationId: `connect${verb}${id}${scope}${ri.kind}${Sub}`,
            description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${ri.kind}`,
            params: [],
            responses: [{ code: '200', description: 'OK' }],
            produces: plain,
          }),
        );
      }
    }
  } else {
    if (!definitions[def]) return undefined;
    const suffix = `${ri.kind}${Sub}`;
    if (sub.verbs.includes('get'))
      ops.push(
        mk({
          method: 'get',
          action: 'get',
          operationId: `read${id}${scope}${suffix}`,
          description: `read ${sub.name} of the specified ${ri.kind}`,
          params: [],
          responses: [ok(def)],
        }),
      );
    if (sub.verbs.includes('update'))
      ops.push(
        mk({
          method: 'put',
          action: 'put',
          operationId: `replace${id}${scope}${suffix}`,
          description: `replace ${sub.name} of the specified ${ri.kind}`,
          params: writeParams,
          body: { ref: def, contentTypes: ['*/*'], required: true },
          responses: [ok(def), { code: '201', description: 'Created', ref: def }],
        }),
      );
    if (sub.verbs.includes('patch'))
      ops.push(
        mk({
          method: 'patch',
          action: 'patch',
          operationId: `patch${id}${scope}${suffix}`,
          description: `partially update ${sub.name} of the specified ${ri.kind}`,
          params: patchParams,
          body: { ref: PATCH, contentTypes: patchContentTypes, required: true },
          responses: [ok(def), { code: '201', description: 'Created', ref: def }],
        }),
      );
    if (sub.verbs.includes('create'))
      ops.push(
        mk({
          method: 'post',
          action: 'post',
          operationId: `create${id}${scope}${suffix}`,
          description: `create ${sub.name} of ${article(ri.kind)} ${ri.kind}`,
          params: writeParams,
          body: { ref: def, contentTypes: ['*/*'], required: true },
          responses: [
            ok(def),
            { code: '201', description: 'Created', ref: def },
            { code: '202', description: 'Accepted', ref: def },
          ],
        }),
      );
  }
  return ops.length
    ? { path: `${item}/${sub.name}`, params: [params.name, ...nsParam, params.pretty], ops }
    : undefined;
}

const article = (kind: string): string => (/^[AEIOU]/.test(kind) ? 'an' : 'a');

function paramV3(x: Param): Json {
  const o: Json = { name: x.name, in: x.in, description: x.description, schema: { type: x.type, uniqueItems: true } };
  if (x.required) o['required'] = true;
  return o;
}
function paramV2(x: Param): Json {
  const o: Json = { uniqueItems: true, type: x.type, description: x.description, name: x.name, in: x.in };
  if (x.required) o['required'] = true;
  return o;
}

function opV3(o: Op, tag: string): Json {
  const out: Json = { tags: [tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out['parameters'] = o.params.map(paramV3);
  if (o.body) {
    const content: Json = {};
    for (const ct of o.body.contentTypes) content[ct] = { schema: { $ref: refPrefix(3) + o.body.ref } };
    out['requestBody'] = o.body.required ? { content, required: true } : { content };
  }
  const responses: Json = {};
  for (const r of o.responses) {
    const content: Json = {};
    for (const ct of o.produces) content[ct] = { schema: r.ref ? { $ref: refPrefix(3) + r.ref } : { type: 'string' } };
    responses[r.code] = { description: r.description, content };
  }
  responses['401'] = { description: 'Unauthorized' };
  out['responses'] = responses;
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { ...o.kind };
  return out;
}

function opV2(o: Op, tag: string): Json {
  const out: Json = {
    description: o.description,
    consumes: o.body ? [...o.body.contentTypes] : ['*/*'],
    produces: [...o.produces],
    schemes: ['https'],
    tags: [tag],
    operationId: o.operationId,
  };
  const ps: Json[] = [];
  if (o.body)
    ps.push({
      name: 'body',
      in: 'body',
      ...(o.body.required ? { required: true } : {}),
      schema: { $ref: refPrefix(2) + o.body.ref },
    });
  ps.push(...o.params.map(paramV2));
  if (ps.length) out['parameters'] = ps;
  const responses: Json = {};
  for (const r of o.responses)
    responses[r.code] = {
      description: r.description,
      schema: r.ref ? { $ref: refPrefix(2) + r.ref } : { type: 'string' },
    };
  responses['401'] = { description: 'Unauthorized' };
  out['responses'] = responses;
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { ...o.kind };
  return out;
}

function pathsFor(ris: readonly ResourceInfo[], v: OpenAPIVersion): Json {
  const out: Json = {};
  const entries = ris.flatMap(resourcePaths).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of entries) {
    const item: Json = {};
    for (const o of e.ops) {
      const tag = tagOf(o.tagOf ?? o.kind);
      item[o.method] = v === 3 ? opV3(o, tag) : opV2(o, tag);
    }
    item['parameters'] = e.params.map(v === 3 ? paramV3 : paramV2);
    out[e.path] = item;
  }
  return out;
}

// ---------------------------------------------------------------- documents

const info = { title: 'Kubernetes', version: serverVersion.gitVersion };
const bearer = {
  BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' },
};

/** The v3 path of a group version: "api/v1", "apis/networking.k8s.io/v1". */
const v3PathOf = (ri: { group: string; version: string }): string =>
  ri.group === '' ? `api/${ri.version}` : `apis/${ri.group}/${ri.version}`;

function buildV3Documents(): Map<string, { doc: Json; hash: string }> {
  const out = new Map<string, { doc: Json; hash: string }>();
  const kinds = kindDefinitions();
  for (const gv of new Set(resources.map((ri) => v3PathOf(ri)))) {
    const ris = resources.filter((ri) => v3PathOf(ri) === gv);
    // The group version's kinds, and kinds of other groups its subresources answer in (Scale).
    const subKinds = ris.flatMap((ri) => ri.subresources.filter((x) => x.group !== undefined));
    const gvKinds = kinds.filter(
      (k) =>
        v3PathOf(k) === gv || subKinds.some((x) => x.group === k.group && x.version === k.version && x.kind === k.kind),
    );
    const names = closure([...gvKinds.map((k) => k.definition), PATCH]);
    const doc: Json = {
      openapi: '3.0.0',
      info,
      paths: pathsFor(ris, 3),
      components: { schemas: schemasFor(names, gvKinds, 3), securitySchemes: bearer },
    };
    out.set(gv, { doc, hash: contentHash(doc) });
  }
  return out;
}

/** kube-apiserver's form: upper-case hex SHA-512 of the served JSON. */
function contentHash(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

let v3Cache: Map<string, { doc: Json; hash: string }> | undefined;
const v3Documents = (): Map<string, { doc: Json; hash: string }> => (v3Cache ??= buildV3Documents());

function normalizeV3Path(path: string): string {
  return path
    .replace(/^\/?(openapi\/v3\/)?/, '')
    .replace(/\?.*$/, '')
    .replace(/\/$/, '');
}

/**
 * GET /openapi/v3: every served group version with the URL of its document.
 * The URL carries the document's content hash, which clients use as a cache key.
 */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [gv, { hash }] of v3Documents()) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${hash}` };
  return { paths };
}

/**
 * GET /openapi/v3/<path>: the document of one group version. `path` is
 * "api/v1" or "apis/<group>/<version>" (a leading "/openapi/v3/" and a query
 * string are ignored). Undefined for anything not served (answer 404).
 */
export function openapiV3Document(path: string): object | undefined {
  return v3Documents().get(normalizeV3Path(path))?.doc;
}

/** The content hash of a v3 document (what ?hash= in the index carries); undefined if not served. */
export function openapiV3Hash(path: string): string | undefined {
  return v3Documents().get(normalizeV3Path(path))?.hash;
}

let v2Cache: Json | undefined;

/** GET /openapi/v2 as JSON (Swagger 2.0): every path and definition podnet serves. */
export function openapiV2Document(): object {
  if (v2Cache) return v2Cache;
  const kinds = kindDefinitions();
  const names = closure([...kinds.map((k) => k.definition), PATCH]);
  v2Cache = {
    swagger: '2.0',
    info,
    paths: pathsFor(resources, 2),
    definitions: schemasFor(names, kinds, 2),
    securityDefinitions: bearer,
    security: [{ BearerToken: [] }],
  };
  return v2Cache;
}

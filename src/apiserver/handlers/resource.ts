/**
 * Resource requests: turns an HTTP request on /api/... or /apis/... into a
 * registry call and the registry's answer into the representation asked for
 * (object, Table, PartialObjectMetadata, watch stream).
 */
import { errors, ApiError } from '../../api/errors.js';
import { nowRFC3339, type KList, type KObject, type WatchEvent } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import { decodeBody, mediaType, parseJson, parseYaml } from '../http/body.js';
import { negotiate, type Representation } from '../http/negotiate.js';
import { jsonReply, yamlReply, type Reply } from '../http/reply.js';
import type { ResourceRequest } from '../request-info.js';
import type { DeleteParams, Registry, WriteParams } from '../registry/registry.js';
import type { ApiRules } from '../registry/rules.js';
import { startWatch } from '../registry/watch.js';
import { toTable } from '../tables/index.js';
import { handleScale } from './scale.js';
import { includeObject, partialMetadata, streamedList } from './list-stream.js';
import type { UserInfo } from '../state/tokens.js';
import { queryBool } from '../../streaming/options.js';

export interface ResourceHandlerDeps {
  registry: Registry;
  rules: ApiRules;
  /** Handles streaming subresources (log, exec, attach, portforward) once the node agent serves them. */
  connect?: (
    req: ResourceRequest,
    query: URLSearchParams,
    headers: Record<string, string | undefined>,
  ) => Promise<Reply>;
}

const FIELD_MANAGER_MAX = 128;

export async function handleResource(
  deps: ResourceHandlerDeps,
  req: ResourceRequest,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
  body: string,
): Promise<Reply> {
  const { registry } = deps;
  const { ri, namespace, name, subresource } = req;
  if (!ri.namespaced && namespace) throw errors.resourceNotFound();
  const repr =
    req.verb === 'create' ||
    req.verb === 'update' ||
    req.verb === 'patch' ||
    req.verb === 'delete' ||
    req.verb === 'get' ||
    req.verb === 'list' ||
    req.verb === 'watch'
      ? negotiate(headers['accept'])
      : ({ as: 'object', format: 'json' } as Representation);
  if (subresource === 'scale') return handleScale(deps, req, query, headers, body, repr);

  switch (req.verb) {
    case 'get': {
      await registry.awaitRevision(query.get('resourceVersion'));
      const obj = await registry.get(ri, namespace, name!);
      return render(ri, repr, obj, query);
    }
    case 'list': {
      const params = {
        namespace,
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
        limit: parseIntParam(query, 'limit'),
        continueToken: query.get('continue'),
        resourceVersion: query.get('resourceVersion'),
        resourceVersionMatch: query.get('resourceVersionMatch'),
      };
      // Unpaged: written page by page as read, however long (kube answers every item, never truncated).
      if (!params.limit) return streamedList(registry, ri, repr, params, query);
      if (repr.as === 'object' && repr.format === 'json') {
        return {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
          body: await registry.listEncoded(ri, params),
        };
      }
      return renderList(ri, repr, await registry.list(ri, params), query);
    }
    case 'watch':
      return watchReply(deps, req, query, repr);
    case 'create': {
      if (subresource === 'binding') return bind(deps, req, query, headers, body);
      if (name && !subresource) throw errors.methodNotAllowed('create', { group: ri.group, resource: ri.resource });
      const wp = writeParams(query, headers, 'CreateOptions', req.user);
      const obj = decodeBody(body, headers['content-type']) as KObject;
      if (repr.as === 'object' && repr.format === 'json') {
        const json = await registry.createJson(ri, namespace, obj, wp);
        return withWarnings({ status: 201, headers: { 'Content-Type': 'application/json' }, body: json }, wp);
      }
      const created = await registry.create(ri, namespace, obj, wp);
      return withWarnings(render(ri, repr, created, query, 201), wp);
    }
    case 'update': {
      const wp = writeParams(query, headers, 'UpdateOptions', req.user);
      const obj = decodeBody(body, headers['content-type']) as KObject;
      if (subresource === 'finalize') return finalize(deps, req, obj, wp, repr, query);
      const updated = await registry.update(ri, namespace, name!, obj, wp, { subresource });
      return withWarnings(render(ri, repr, updated, query), wp);
    }
    case 'patch':
      return patch(deps, req, query, headers, body, repr);
    case 'delete': {
      const dp = { ...deleteParams(query, body), user: req.user };
      const res = await registry.delete(ri, namespace, name!, dp);
      if (!res.deleted || registry.returnsDeletedObject(ri)) return render(ri, repr, res.object, query, 200);
      return jsonReply(200, successStatus(ri, res.object));
    }
    case 'deletecollection': {
      const dp = { ...deleteParams(query, body), user: req.user };
      const list = await registry.list(ri, {
        namespace,
        labelSelector: query.get('labelSelector'),
        fieldSelector: query.get('fieldSelector'),
      });
      for (const o of list.items) {
        try {
          await registry.delete(ri, o.metadata.namespace, o.metadata.name!, dp);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
      return jsonReply(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' });
    }
    case 'connect':
      if (!deps.connect) {
        throw errors.unavailable(
          `${subresource} is not served yet: streaming (${subresource}) arrives with the node agent; see the README`,
        );
      }
      return deps.connect(req, query, headers);
  }
}

function successStatus(ri: ResourceInfo, obj: KObject) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: obj.metadata.name, group: ri.group || undefined, kind: ri.resource, uid: obj.metadata.uid },
  };
}

function withWarnings(reply: Reply, wp: WriteParams): Reply {
  if (wp.warnings.length > 0 && !('start' in reply)) {
    reply.headers['Warning'] = wp.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  }
  return reply;
}

function parseIntParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n))
    throw errors.badRequest(`invalid value for ${key}: ${JSON.stringify(v)}: must be a non-negative integer`);
  return n;
}

export function writeParams(
  q: URLSearchParams,
  headers: Record<string, string | undefined>,
  optionsKind = 'CreateOptions',
  user?: UserInfo,
): WriteParams {
  // kube validates these as fields of Create/Update/PatchOptions: a bad value is 422 Invalid.
  const invalid = (field: string, value: string, supported: string[]) =>
    errors.invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [
      { type: 'FieldValueNotSupported', field, value, supported },
    ]);
  const dry = q.getAll('dryRun');
  dry.forEach((d, i) => {
    if (d !== 'All') throw invalid(`dryRun[${i}]`, d, ['All']);
  });
  let manager = q.get('fieldManager') ?? '';
  if (!manager) manager = (headers['user-agent'] ?? 'unknown').split('/')[0]!.slice(0, FIELD_MANAGER_MAX);
  if (manager.length > FIELD_MANAGER_MAX) {
    throw errors.invalid({ group: 'meta.k8s.io', kind: optionsKind }, '', [
      { type: 'FieldValueTooLong', field: 'fieldManager', detail: `may not be more than ${FIELD_MANAGER_MAX} bytes` },
    ]);
  }
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore')
    throw invalid('fieldValidation', fv, ['Ignore', 'Strict', 'Warn']);
  return { dryRun: dry.length > 0, fieldManager: manager, fieldValidation: fv, warnings: [], user };
}

function deleteParams(q: URLSearchParams, body: string): DeleteParams {
  let opts: Record<string, unknown> = {};
  if (body.trim()) opts = (parseJson(body) ?? {}) as Record<string, unknown>;
  const grace = q.get('gracePeriodSeconds') ?? (opts['gracePeriodSeconds'] as number | undefined)?.toString();
  const dry = [...q.getAll('dryRun'), ...((opts['dryRun'] as string[] | undefined) ?? [])];
  for (const d of dry)
    if (d !== 'All') throw errors.badRequest(`Invalid dry run value: ${JSON.stringify(d)}: valid values are "All"`);
  const policy = q.get('propagationPolicy') ?? (opts['propagationPolicy'] as string | undefined);
  if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw errors.badRequest(
      `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  const orphan = q.get('orphanDependents') ?? (opts['orphanDependents'] as boolean | undefined)?.toString();
  if (orphan !== undefined && orphan !== null && policy)
    throw errors.badRequest('OrphanDependents and DeletionPropagation cannot be both set');
  let graceSeconds: number | undefined;
  if (grace !== undefined && grace !== null) {
    graceSeconds = Number(grace);
    if (!Number.isInteger(graceSeconds))
      throw errors.badRequest(`invalid gracePeriodSeconds: ${JSON.stringify(grace)}`);
  }
  return {
    dryRun: dry.length > 0,
    gracePeriodSeconds: graceSeconds,
    preconditions: opts['preconditions'] as DeleteParams['preconditions'],
    propagationPolicy: policy,
    ...(orphan !== undefined && orphan !== null
      ? { orphanDependents: !['0', 'false'].includes(orphan.toLowerCase()) }
      : {}),
  };
}

async function patch(
  deps: ResourceHandlerDeps,
  req: ResourceRequest,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
  body: string,
  repr: Representation,
): Promise<Reply> {
  const { registry, rules } = deps;
  const { ri, namespace, name, subresource } = req;
  const wp = writeParams(query, headers, 'PatchOptions', req.user);
  const type = mediaType(headers['content-type']);
  if (type === 'application/apply-patch+yaml') {
    if (!query.get('fieldManager'))
      throw errors.badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
    const force = queryBool(query, 'force');
    const applied = registry.decodeBody(ri, parseYaml(body) as KObject, { ...wp, requireKind: true });
    if (applied.metadata.name && applied.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const now = nowRFC3339();
    let live: KObject | undefined;
    try {
      live = await registry.get(ri, namespace, name!);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404) || subresource) throw e;
    }
    if (!live) {
      const created = rules.apply(ri, undefined, applied, wp.fieldManager, force, now);
      created.metadata.name = name;
      const obj = await registry.create(ri, namespace, created, { ...wp, fieldValidation: 'Ignore', applied: true });
      return withWarnings(render(ri, repr, obj, query, 201), wp);
    }
    const updated = await registry.modify(
      ri,
      namespace,
      name!,
      { ...wp, fieldValidation: 'Ignore', applied: true },
      (cur) => {
        const next = rules.apply(ri, cur, applied, wp.fieldManager, force, now);
        if (!applied.metadata.resourceVersion) delete next.metadata.resourceVersion;
        return next;
      },
      subresource,
    );
    return withWarnings(render(ri, repr, updated, query), wp);
  }
  if (
    !['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(
      type,
    )
  ) {
    throw errors.unsupportedMediaType(headers['content-type'] ?? '');
  }
  const updated = await registry.modify(
    ri,
    namespace,
    name!,
    wp,
    (live) => {
      const patched = rules.patch(ri, type, live, body);
      const md = patched.metadata as KObject['metadata'] | undefined;
      // Only a resourceVersion the patch itself names is a precondition.
      if (md && md.resourceVersion === live.metadata.resourceVersion && !patchNamesResourceVersion(type, body))
        delete md.resourceVersion;
      return patched;
    },
    subresource,
  );
  return withWarnings(render(ri, repr, updated, query), wp);
}

function patchNamesResourceVersion(type: string, body: string): boolean {
  if (type === 'application/json-patch+json') return body.includes('/metadata/resourceVersion');
  try {
    const p = JSON.parse(body) as { metadata?: { resourceVersion?: unknown } };
    return p?.metadata?.resourceVersion !== undefined && p.metadata.resourceVersion !== null;
  } catch {
    return false;
  }
}

/** POST pods/NAME/binding: the scheduler's (or a user's) assignment of a pod to a node. */
async function bind(
  deps: ResourceHandlerDeps,
  req: ResourceRequest,
  query: URLSearchParams,
  headers: Record<string, string | undefined>,
  body: string,
): Promise<Reply> {
  const wp = writeParams(query, headers, 'CreateOptions', req.user);
  const binding = decodeBody(body, headers['content-type']) as {
    target?: { name?: string; kind?: string };
    metadata?: { name?: string };
  };
  const node = binding.target?.name;
  if (!node)
    throw errors.invalid({ group: '', kind: 'Binding' }, req.name!, [
      { type: 'FieldValueRequired', field: 'target.name' },
    ]);
  if (binding.target?.kind && binding.target.kind !== 'Node') {
    throw errors.invalid({ group: '', kind: 'Binding' }, req.name!, [
      { type: 'FieldValueNotSupported', field: 'target.kind', value: binding.target.kind, supported: ['Node'] },
    ]);
  }
  await deps.registry.modify(
    req.ri,
    req.namespace,
    req.name!,
    wp,
    (pod) => {
      const spec = pod.spec as { nodeName?: string };
      if (pod.metadata.deletionTimestamp) {
        throw errors.conflict(
          { group: '', resource: 'pods/binding' },
          req.name!,
          `pod ${req.name} is being deleted, cannot be assigned to a host`,
        );
      }
      if (spec.nodeName) {
        throw errors.conflict(
          { group: '', resource: 'pods/binding' },
          req.name!,
          `pod ${req.name} is already assigned to node "${spec.nodeName}"`,
        );
      }
      spec.nodeName = node;
      return pod;
    },
    'binding',
  );
  return jsonReply(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** PUT namespaces/NAME/finalize: the namespace controller clears spec.finalizers once the namespace is empty. */
async function finalize(
  deps: ResourceHandlerDeps,
  req: ResourceRequest,
  obj: KObject,
  wp: WriteParams,
  repr: Representation,
  query: URLSearchParams,
): Promise<Reply> {
  const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  const updated = await deps.registry.modify(
    req.ri,
    undefined,
    req.name!,
    wp,
    (ns) => {
      ns.spec = { ...(ns.spec as object), finalizers };
      if (obj.metadata?.resourceVersion) ns.metadata.resourceVersion = obj.metadata.resourceVersion;
      return ns;
    },
    'finalize',
  );
  return render(req.ri, repr, updated, query);
}

// Watch events' objects are shared by every watcher of a commit: encode each event line once, as
// bytes, and write the same buffer to every watcher.
type ObjectEventType = Exclude<WatchEvent['type'], 'ERROR' | 'BOOKMARK'>;
const linesOf = new WeakMap<object, Partial<Record<ObjectEventType, Buffer>>>();
function sharedLine(type: ObjectEventType, o: KObject): Buffer {
  let lines = linesOf.get(o);
  if (!lines) linesOf.set(o, (lines = {}));
  return (lines[type] ??= Buffer.from(`{"type":"${type}","object":${JSON.stringify(o)}}\n`));
}

function render(ri: ResourceInfo, repr: Representation, obj: KObject, query: URLSearchParams, status = 200): Reply {
  if (repr.as === 'table') {
    return jsonReply(
      status,
      toTable(ri, [obj], {
        includeObject: includeObject(query),
        version: repr.version,
        listMeta: { resourceVersion: obj.metadata.resourceVersion },
      }),
    );
  }
  if (repr.as === 'metadata') return jsonReply(status, partialMetadata(obj, repr.version));
  return repr.format === 'yaml' ? yamlReply(status, obj) : jsonReply(status, obj);
}

function renderList(ri: ResourceInfo, repr: Representation, list: KList, query: URLSearchParams): Reply {
  if (repr.as === 'table') {
    return jsonReply(
      200,
      toTable(ri, list.items, { includeObject: includeObject(query), listMeta: list.metadata, version: repr.version }),
    );
  }
  if (repr.as === 'metadata') {
    return jsonReply(200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${repr.version}`,
      metadata: list.metadata,
      items: list.items.map((o) => partialMetadata(o, repr.version)),
    });
  }
  return repr.format === 'yaml' ? yamlReply(200, list) : jsonReply(200, list);
}

async function watchReply(
  deps: ResourceHandlerDeps,
  req: ResourceRequest,
  query: URLSearchParams,
  repr: Representation,
): Promise<Reply> {
  const { registry, rules } = deps;
  const { ri, namespace, name } = req;
  const predicate = rules.selector(ri, query.get('labelSelector'), query.get('fieldSelector'));
  // Options the encoder reads are checked now: an error while streaming could only end the stream.
  if (repr.as === 'table') includeObject(query);
  const timeout = parseIntParam(query, 'timeoutSeconds') ?? 1800;
  const sendInitialEvents = queryBool(query, 'sendInitialEvents');
  const allowBookmarks = queryBool(query, 'allowWatchBookmarks');
  if (sendInitialEvents && (query.get('resourceVersionMatch') !== 'NotOlderThan' || !allowBookmarks)) {
    throw errors.invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [
      {
        type: 'FieldValueForbidden',
        field: 'sendInitialEvents',
        detail:
          'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and allowWatchBookmarks is set and resourceVersionMatch is NotOlderThan',
      },
    ]);
  }
  // Start (and fail, e.g. 410, or 504 from a future resourceVersion) before answering 200, so errors
  // come back as plain Status responses.
  await registry.awaitRevision(query.get('resourceVersion'));
  const buffered: WatchEvent[] = [];
  let live: ((ev: WatchEvent) => void) | undefined;
  let failed: ApiError | undefined;
  let onFail: ((e: ApiError) => void) | undefined;
  const watch = await startWatch(
    registry,
    ri,
    {
      namespace,
      name,
      predicate,
      resourceVersion: query.get('resourceVersion'),
      allowBookmarks,
      sendInitialEvents,
    },
    {
      send: (ev) => (live ? live(ev) : buffered.push(ev)),
      fail: (e) => (onFail ? onFail(e) : (failed = e)),
    },
  );
  let firstTable = true;
  const encode = (ev: WatchEvent): string | Buffer => {
    let object: unknown = ev.object;
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') object = ev.object;
    else if (repr.as === 'object') return sharedLine(ev.type, ev.object);
    else if (repr.as === 'table') {
      object = toTable(ri, [ev.object], {
        includeObject: includeObject(query),
        version: repr.version,
        noHeaders: !firstTable,
      });
      firstTable = false;
    } else if (repr.as === 'metadata') object = partialMetadata(ev.object, repr.version);
    return `${JSON.stringify({ type: ev.type, object })}\n`;
  };
  return {
    status: 200,
    headers: {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
      'Cache-Control': 'no-cache, private',
    },
    start(write, end) {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        watch.stop();
        clearTimeout(timer);
        end();
      };
      onFail = (e) => {
        write(JSON.stringify({ type: 'ERROR', object: e.toStatus() }) + '\n');
        finish();
      };
      live = (ev) => {
        if (done) return;
        let chunk: string | Buffer;
        try {
          chunk = encode(ev);
        } catch (e) {
          // An event that cannot be encoded ends the watch with an ERROR event, never a silent hang.
          onFail?.(e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e)));
          return;
        }
        write(chunk);
      };
      for (const ev of buffered) live(ev);
      buffered.length = 0;
      if (failed) onFail(failed);
      const timer = setTimeout(finish, timeout * 1000);
      timer.unref();
      return finish;
    },
  };
}

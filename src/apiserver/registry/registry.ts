/**
 * Generic storage for every resource (kube-apiserver's generic registry):
 * create/get/list/update/delete/watch over the Store, with metadata rules,
 * optimistic concurrency, finalizers and graceful deletion. Resource
 * specifics come from the Strategy table; pure API rules from ApiRules.
 */
import { randomUUID } from 'node:crypto';
import { errors, ApiError, fieldError, type FieldError } from '../../api/errors.js';
import { deepClone, nowRFC3339, objectKey, resourcePrefix, type KList, type KObject } from '../../api/meta.js';
import { findResource, groupVersion, type ResourceInfo } from '../../api/resources.js';
import { StoreError, type KeyValue, type ListOptions, type ListResult, type Store } from '../../store/store.js';
import type { ApiRules, ObjectPredicate } from './rules.js';
import { strategyKey, type Strategy, type StrategyTable, type Undo, type WriteContext } from './strategy.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { deletionFinalizers, sameFinalizers } from './gc-finalizers.js';
import type { UserInfo } from '../state/tokens.js';
import { MAX_PAGE_ITEMS, PAGE_BYTES, readPaged, type PagedList } from './list-pages.js';
import type { NamespaceCache } from './namespace-cache.js';
import { asBuffer, joinStoredItems } from './stored-json.js';

interface ListParams {
  namespace?: string;
  labelSelector?: string | null;
  fieldSelector?: string | null;
  limit?: number;
  continueToken?: string | null;
  resourceVersion?: string | null;
  resourceVersionMatch?: string | null;
}

export interface WriteParams {
  dryRun: boolean;
  fieldManager: string;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
  /** Collected warnings (Warn mode) to return in Warning headers. */
  warnings: string[];
  /** The object comes from server-side apply, which has recorded field ownership itself. */
  applied?: boolean;
  /** Who writes (undefined: the server itself, or no authentication); validating admission reads it. */
  user?: UserInfo;
}

export interface DeleteParams {
  dryRun: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  /** Deprecated form of propagationPolicy Orphan (true) or Background (false). */
  orphanDependents?: boolean;
  user?: UserInfo;
}

/**
 * Validating admission: called with each write that is about to be stored,
 * after defaults and validation (old is undefined on create, obj on
 * delete). Throws an ApiError (403) to refuse.
 */
export interface Admission {
  /** Mutating admission on create, after validation (what it adds is well-formed by construction), before admit. */
  mutate?(w: { ri: ResourceInfo; obj: KObject; user?: UserInfo; dryRun: boolean }): Promise<void>;
  admit(w: {
    ri: ResourceInfo;
    operation: 'create' | 'update' | 'delete';
    obj?: KObject;
    old?: KObject;
    subresource?: string;
    user?: UserInfo;
    dryRun: boolean;
    /** Warnings for the client (Warning headers); absent on delete. */
    warnings?: string[];
  }): void | Promise<void>;
}

type DeleteResult = { deleted: true; object: KObject } | { deleted: false; object: KObject };

const gr = (ri: ResourceInfo) => ({ group: ri.group, resource: ri.resource });
const gk = (ri: ResourceInfo) => ({ group: ri.group, kind: ri.kind });
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const METADATA_OPEN = '"metadata":{';
const textOf = (b: Uint8Array): string => asBuffer(b).toString('utf8');

export class Registry {
  constructor(
    readonly store: Store,
    private readonly rules: ApiRules,
    private readonly strategies: StrategyTable,
    private readonly admission?: Admission,
  ) {}

  /** Whether a delete that removed an object of ri answers with the object rather than a Status. */
  returnsDeletedObject(ri: ResourceInfo): boolean {
    return this.strategy(ri).returnsDeletedObject === true;
  }

  private strategy(ri: ResourceInfo): Strategy {
    return this.strategies[strategyKey(ri)] ?? {};
  }

  key(ri: ResourceInfo, namespace: string | undefined, name: string): string {
    return objectKey(ri.group, ri.resource, ri.namespaced ? namespace : undefined, name);
  }

  /** Decode a stored value (text or its bytes) into an object carrying its resourceVersion. */
  decode(kv: KeyValue<string | Uint8Array>): KObject {
    const obj = JSON.parse(typeof kv.value === 'string' ? kv.value : textOf(kv.value)) as KObject;
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  /**
   * The object's JSON with its resourceVersion, without parsing it: stored
   * values start with apiVersion, kind, metadata (see encode), so the first
   * `"metadata":{` is the object's own and the version is spliced in there.
   */
  encodedWithVersion(kv: KeyValue): string {
    const v = kv.value;
    const at = v.indexOf(METADATA_OPEN);
    if (at < 0) return JSON.stringify(this.decode(kv));
    const cut = at + METADATA_OPEN.length;
    const rv = `"resourceVersion":"${kv.modRevision}"`;
    return v.slice(0, cut) + rv + (v[cut] === '}' ? '' : ',') + v.slice(cut);
  }

  private encode(obj: KObject): string {
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    const { apiVersion, kind, metadata: _m, ...rest } = obj;
    return JSON.stringify({ apiVersion, kind, metadata, ...rest });
  }

  /**
   * Waits until the store has reached `resourceVersion` (a read or watch
   * "not older than" it), as kube's watch cache does for up to 3 s, then
   * gives up with 504 Too large resource version. Unset and "0" mean any.
   */
  async awaitRevision(resourceVersion: string | null | undefined, waitMs = FRESHNESS_WAIT_MS): Promise<void> {
    if (!resourceVersion || resourceVersion === '0') return;
    const wanted = parseRevision(resourceVersion);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const current = await this.store.currentRevision();
      if (current >= wanted) return;
      if (Date.now() >= deadline) throw errors.tooLargeResourceVersion(wanted, current);
      await new Promise((r) => setTimeout(r, FRESHNESS_POLL_MS));
    }
  }

  async get(ri: ResourceInfo, namespace: string | undefined, name: string): Promise<KObject> {
    const kv = await this.store.get(this.key(ri, namespace, name));
    if (!kv) throw errors.notFound(gr(ri), name);
    return this.decode(kv);
  }

  async list(ri: ResourceInfo, p: ListParams): Promise<KList> {
    const { kvs, decoded, metadata } = await this.listKeyValues(ri, p);
    return {
      apiVersion: groupVersion(ri),
      kind: ri.listKind,
      metadata,
      items: kvs.map((kv, i) => decoded[i] ?? this.decode(kv)),
    };
  }

  /**
   * A list as JSON bytes, built from the stored values' bytes without
   * decoding them (the hot path of informers' lists): each value is copied
   * once into the answer, with its resourceVersion spliced in as bytes.
   */
  async listEncoded(ri: ResourceInfo, p: ListParams): Promise<Buffer> {
    const { kvs, metadata } = await this.listKeyValues(ri, p, (prefix, o) => this.store.listBytes(prefix, o));
    return joinStoredItems(kvs, (kv) => this.decode(kv), {
      before: `{"kind":${JSON.stringify(ri.listKind)},"apiVersion":${JSON.stringify(groupVersion(ri))},"metadata":${JSON.stringify(metadata)},"items":[`,
      after: ']}',
    });
  }

  /**
   * An unpaged list (no limit) as pages read at one revision (list-pages.ts),
   * for answers written as they are read, so memory stays bounded whatever
   * the list's length. `bytes` reads values as bytes (for joinStoredItems).
   * Resolves once the first page is read: errors until then are the
   * request's; a failure after it ends the answer early.
   */
  listPaged(ri: ResourceInfo, p: ListParams, bytes: true): Promise<PagedList<Uint8Array>>;
  listPaged(ri: ResourceInfo, p: ListParams, bytes: false): Promise<PagedList<string>>;
  async listPaged(ri: ResourceInfo, p: ListParams, bytes: boolean): Promise<PagedList<string | Uint8Array>> {
    const predicate = this.rules.selector(ri, p.labelSelector ?? null, p.fieldSelector ?? null);
    const prefix = this.listPrefix(ri, p);
    const { revision } = await this.listStart(p, prefix);
    const read = (o: ListOptions) => (bytes ? this.store.listBytes(prefix, o) : this.store.list(prefix, o));
    try {
      return await readPaged<string | Uint8Array>(read, revision, (kv) => this.decode(kv), predicate ?? undefined);
    } catch (e) {
      throw await this.listError(e, p, revision);
    }
  }

  private listPrefix(ri: ResourceInfo, p: ListParams): string {
    return ri.namespaced && p.namespace
      ? `${resourcePrefix(ri.group, ri.resource)}${p.namespace}/`
      : resourcePrefix(ri.group, ri.resource);
  }

  /** Where a list starts: the revision to read at (0: latest), and for a continue token its key and count. */
  private async listStart(
    p: ListParams,
    prefix: string,
  ): Promise<{ revision: number; startAfter?: string; leftBefore?: number }> {
    if (p.continueToken) {
      const tok = decodeContinue(p.continueToken, prefix);
      return { revision: tok.revision, startAfter: tok.startAfter, leftBefore: tok.left };
    }
    if (p.resourceVersion && p.resourceVersion !== '0' && p.resourceVersionMatch === 'Exact')
      return { revision: parseRevision(p.resourceVersion) };
    await this.awaitRevision(p.resourceVersion);
    return { revision: 0 };
  }

  /** A store error of a list read as the API error kube answers. */
  private async listError(e: unknown, p: ListParams, revision: number): Promise<unknown> {
    if (e instanceof StoreError && e.code === 'Compacted') {
      return p.continueToken
        ? errors.expired(
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
          )
        : errors.expired(`too old resource version: ${p.resourceVersion} (${e.revision ?? ''})`);
    }
    if (e instanceof StoreError && e.code === 'FutureRevision') {
      return errors.tooLargeResourceVersion(revision, await this.store.currentRevision());
    }
    return e;
  }

  private async listKeyValues<V extends string | Uint8Array>(
    ri: ResourceInfo,
    p: ListParams,
    read: (prefix: string, o: ListOptions) => Promise<ListResult<V>> = (prefix, o) =>
      this.store.list(prefix, o) as Promise<ListResult<V>>,
  ): Promise<{ kvs: KeyValue<V>[]; decoded: (KObject | undefined)[]; metadata: KList['metadata'] }> {
    const predicate = this.rules.selector(ri, p.labelSelector ?? null, p.fieldSelector ?? null);
    const prefix = this.listPrefix(ri, p);
    const start = await this.listStart(p, prefix);
    let { revision, startAfter } = start;
    /** Keys left after the previous page, from the continue token: this page's remainder is that less this page. */
    const leftBefore = start.leftBefore;
    const limit = p.limit && p.limit > 0 ? p.limit : 0;
    const items: KeyValue<V>[] = [];
    const decoded: (KObject | undefined)[] = [];
    let more = false;
    let remaining: number | undefined;
    let lastKey: string | undefined;
    let pageBytes = 0;
    try {
      // With a selector a page can come back short: read on until the page is full, as kube's storage does.
      for (;;) {
        // A store read holds at most MAX_PAGE_ITEMS values, whatever limit asked for.
        const batch = limit
          ? Math.min(Math.max(limit - items.length, predicate ? limit * 2 : limit), MAX_PAGE_ITEMS)
          : 0;
        // remainingItemCount is only reported without a selector, and only counted once per paged list.
        const res = await read(prefix, {
          limit: batch,
          startAfter,
          revision,
          skipRemaining: !!predicate || leftBefore !== undefined,
        });
        revision = res.revision;
        for (let i = 0; i < res.items.length; i++) {
          const kv = res.items[i]!;
          lastKey = kv.key;
          // Decode only to filter; without a selector the stored text is used as it is.
          const obj = predicate ? this.decode(kv) : undefined;
          if (obj && predicate && !predicate(obj)) continue;
          items.push(kv);
          decoded.push(obj);
          pageBytes += kv.value.length;
          // A page ends at limit items or PAGE_BYTES of values, whichever comes first: kube lets a page
          // hold fewer items than limit (the continue token says there is more), and the answer stays bounded.
          if (limit && (items.length === limit || pageBytes >= PAGE_BYTES)) {
            more = i < res.items.length - 1 || res.more;
            if (more && !predicate)
              remaining =
                leftBefore !== undefined
                  ? leftBefore - items.length
                  : (res.remaining ?? 0) + (res.items.length - 1 - i);
            break;
          }
        }
        if (!limit || items.length === limit || pageBytes >= PAGE_BYTES || !res.more) break;
        startAfter = lastKey;
      }
    } catch (e) {
      throw await this.listError(e, p, revision);
    }
    const metadata: KList['metadata'] = { resourceVersion: String(revision) };
    if (more && lastKey) {
      metadata.continue = encodeContinue(revision, lastKey, prefix, remaining);
      if (remaining !== undefined) metadata.remainingItemCount = remaining;
    }
    return { kvs: items, decoded, metadata };
  }

  async create(ri: ResourceInfo, namespace: string | undefined, input: KObject, p: WriteParams): Promise<KObject> {
    const { kv, obj } = await this.createStored(ri, namespace, input, p);
    return kv ? this.decode(kv) : obj;
  }

  /**
   * create, answering with the created object's JSON (what a create request
   * returns): the stored text with its resourceVersion spliced in, instead
   * of parsing what was just encoded and encoding it again. Takes over
   * `input` (a request body just decoded) and changes it rather than copying it.
   */
  async createJson(ri: ResourceInfo, namespace: string | undefined, input: KObject, p: WriteParams): Promise<string> {
    const { kv, obj } = await this.createStored(ri, namespace, input, p, true);
    return kv ? this.encodedWithVersion(kv) : JSON.stringify(obj);
  }

  /** The created object as stored (kv), or as it would be for a dry run (no kv). */
  private async createStored(
    ri: ResourceInfo,
    namespace: string | undefined,
    input: KObject,
    p: WriteParams,
    owned = false,
  ): Promise<{ kv?: KeyValue; obj: KObject }> {
    const now = new Date();
    const obj = this.admitNew(ri, namespace, input, p, owned);
    const s = this.strategy(ri);
    s.prepareForCreate?.(obj);
    this.rules.applyDefaults(ri, obj);
    const needsName = !obj.metadata.name && obj.metadata.generateName;
    if (needsName) obj.metadata.name = generateName(obj.metadata.generateName!);
    this.throwIfInvalid(ri, obj, this.rules.validateCreate(ri, obj));
    if (ri.namespaced) await this.checkNamespaceOpen(obj.metadata.namespace!);
    await this.admission?.mutate?.({ ri, obj, user: p.user, dryRun: p.dryRun });
    await this.admission?.admit({
      ri,
      operation: 'create',
      obj,
      user: p.user,
      dryRun: p.dryRun,
      warnings: p.warnings,
    });
    if (!p.applied) this.rules.trackUpdate(ri, undefined, obj, p.fieldManager, undefined, nowRFC3339(now));
    return this.insert(ri, obj, p, now, needsName ? 8 : 1);
  }

  /** Store a new object; retries a generated name that collided. */
  private async insert(
    ri: ResourceInfo,
    obj: KObject,
    p: WriteParams,
    now: Date,
    tries: number,
  ): Promise<{ kv?: KeyValue; obj: KObject }> {
    const s = this.strategy(ri);
    const ctx: WriteContext = { dryRun: p.dryRun, now };
    const undo = s.beforeCreate ? await s.beforeCreate(obj, ctx) : undefined;
    try {
      const key = this.key(ri, obj.metadata.namespace, obj.metadata.name!);
      if (p.dryRun) {
        if (await this.store.get(key)) throw errors.alreadyExists(gr(ri), obj.metadata.name!);
        await undo?.();
        return { obj };
      }
      const kv = await this.store.create(key, this.encode(obj));
      return { kv, obj };
    } catch (e) {
      await undo?.();
      if (e instanceof StoreError && e.code === 'KeyExists') {
        if (tries > 1 && obj.metadata.generateName) {
          obj.metadata.name = generateName(obj.metadata.generateName);
          return this.insert(ri, obj, p, now, tries - 1);
        }
        throw errors.alreadyExists(gr(ri), obj.metadata.name!);
      }
      throw e;
    }
  }

  /** Check and normalise the metadata of an object about to be created. */
  private admitNew(
    ri: ResourceInfo,
    namespace: string | undefined,
    input: KObject,
    p: WriteParams,
    owned: boolean,
  ): KObject {
    const obj = this.decodeBody(ri, input, p, owned);
    const md = obj.metadata;
    if (ri.namespaced) {
      if (md.namespace && namespace && md.namespace !== namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      md.namespace = namespace ?? md.namespace;
    } else {
      delete md.namespace;
    }
    if (md.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    md.uid = randomUUID();
    md.creationTimestamp = nowRFC3339();
    delete md.deletionTimestamp;
    delete md.deletionGracePeriodSeconds;
    delete md.selfLink;
    if (this.strategy(ri).tracksGeneration) md.generation = 1;
    else delete md.generation;
    return obj;
  }

  /**
   * Type check, unknown-field handling and apiVersion/kind check of a request
   * body. Works on a copy unless `owned`: the caller hands over an object
   * nothing else refers to (a body it just decoded), which is then changed in place.
   */
  decodeBody(
    ri: ResourceInfo,
    input: KObject,
    p: Pick<WriteParams, 'fieldValidation' | 'warnings'> & { patched?: KObject; requireKind?: boolean },
    owned = false,
  ): KObject {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(input)}'`);
    }
    const gv = groupVersion(ri);
    // kube decodes create and update bodies with the endpoint's kind as the default
    // (gvkWithDefaults): the generated clients send objects without kind or apiVersion.
    const { kind, apiVersion } = p.requireKind ? input : withDefaultKind(input, ri.kind, gv);
    if (!kind) throw errors.badRequest(`Object 'Kind' is missing in '${truncate(JSON.stringify(input))}'`);
    if (apiVersion !== gv || kind !== ri.kind) {
      if (kind === ri.kind && apiVersion !== gv) {
        throw errors.badRequest(
          `the API version in the data (${apiVersion}) does not match the expected API version (${gv})`,
        );
      }
      throw errors.badRequest(
        `${kind} in version "${apiVersion}" cannot be handled as a ${ri.kind}: the object provided is unrecognized (expected ${gv}, Kind=${ri.kind})`,
      );
    }
    // Go decodes before it looks for unknown fields: a value of the wrong type is the first error.
    const typeError = this.rules.typeError(ri, input);
    if (typeError) {
      if (p.patched !== undefined) {
        throw errors.invalid({ group: '', kind: '' }, '', [
          fieldError.invalid('patch', JSON.stringify(p.patched), typeError),
        ]);
      }
      throw errors.badRequest(`${ri.kind} in version "${ri.version}" cannot be handled as a ${ri.kind}: ${typeError}`);
    }
    const obj = owned ? input : deepClone(input);
    obj.kind = kind;
    obj.apiVersion = apiVersion;
    if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
    // One walk finds and drops unknown fields; Strict then refuses the request (the pruned copy is dropped with it).
    const unknown = this.rules.prune(ri, obj);
    if (p.fieldValidation !== 'Ignore' && unknown.length > 0) {
      const list = unknown.map((f) => `unknown field "${f}"`);
      if (p.fieldValidation === 'Strict') {
        throw errors.badRequest(
          `${ri.kind} in version "${ri.version}" cannot be handled as a ${ri.kind}: strict decoding error: ${list.join(', ')}`,
        );
      }
      p.warnings.push(...list);
    }
    return obj;
  }

  private throwIfInvalid(ri: ResourceInfo, obj: KObject, errs: FieldError[]): void {
    if (errs.length > 0) throw errors.invalid(gk(ri), obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  /** Set by the server: namespaces it follows, so most creates need not read theirs. */
  namespaceCache: NamespaceCache | undefined;

  private async checkNamespaceOpen(namespace: string): Promise<void> {
    if (this.namespaceCache?.knownOpen(namespace)) return;
    const nsRi = findResource('', 'v1', 'namespaces')!;
    const kv = await this.store.get(this.key(nsRi, undefined, namespace));
    if (!kv) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    // Every create in the namespace asks; parse only a namespace that may be terminating.
    if (!kv.value.includes('"deletionTimestamp"')) return;
    const ns = this.decode(kv);
    if (ns.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          name: namespace,
          kind: 'namespaces',
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  /**
   * Replace an object (PUT, or the result of a PATCH). `expectRv` is the
   * resourceVersion the caller based its change on; when the body carries a
   * resourceVersion it must match the stored one.
   */
  async update(
    ri: ResourceInfo,
    namespace: string | undefined,
    name: string,
    input: KObject,
    p: WriteParams,
    opts: { subresource?: string; decoded?: boolean; basedOn?: KObject } = {},
  ): Promise<KObject> {
    const now = new Date();
    const obj = opts.decoded ? input : this.decodeBody(ri, input, p);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (ri.namespaced && obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const key = this.key(ri, namespace, name);
    const kv = await this.store.get(key);
    if (!kv) throw errors.notFound(gr(ri), name);
    const old = this.decode(kv);
    const wanted = obj.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion)
      throw errors.staleObject(gr(ri), name);
    const updated = this.prepareUpdate(ri, obj, old, opts.subresource, p, now);
    if (sameContent(updated, old)) return old; // a no-op write changes nothing, not even resourceVersion
    await this.admission?.admit({
      ri,
      operation: 'update',
      obj: updated,
      old,
      subresource: opts.subresource,
      user: p.user,
      dryRun: p.dryRun,
      warnings: p.warnings,
    });
    return this.commitUpdate(ri, updated, old, kv.modRevision, p, now);
  }

  private prepareUpdate(
    ri: ResourceInfo,
    obj: KObject,
    old: KObject,
    subresource: string | undefined,
    p: WriteParams,
    now: Date,
  ): KObject {
    const s = this.strategy(ri);
    const md = obj.metadata;
    md.name = old.metadata.name;
    if (ri.namespaced) md.namespace = old.metadata.namespace;
    // Fields only the server sets.
    md.uid = old.metadata.uid;
    md.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) {
      md.deletionTimestamp = old.metadata.deletionTimestamp;
      md.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete md.deletionTimestamp;
      delete md.deletionGracePeriodSeconds;
    }
    if (subresource === 'status') {
      // A status write changes status only (and nothing of metadata but labels/annotations kube ignores too).
      const status = obj.status;
      const next = deepClone(old);
      if (status === undefined) delete next.status;
      else next.status = status;
      s.prepareForUpdate?.(next, old, subresource);
      if (!p.applied) this.rules.trackUpdate(ri, old, next, p.fieldManager, subresource, nowRFC3339(now));
      this.throwIfInvalid(ri, next, this.rules.validateUpdate(ri, next, old, subresource));
      return next;
    }
    if (ri.subresources.some((x) => x.name === 'status') && subresource === undefined) {
      if (old.status === undefined) delete obj.status;
      else obj.status = deepClone(old.status);
    }
    s.prepareForUpdate?.(obj, old, subresource);
    this.rules.applyDefaults(ri, obj);
    if (s.tracksGeneration) {
      md.generation = (old.metadata.generation ?? 1) + (specChanged(obj, old) ? 1 : 0);
    } else {
      delete md.generation;
    }
    if (!p.applied) this.rules.trackUpdate(ri, old, obj, p.fieldManager, subresource, nowRFC3339(now));
    this.throwIfInvalid(ri, obj, this.rules.validateUpdate(ri, obj, old, subresource));
    return obj;
  }

  private async commitUpdate(
    ri: ResourceInfo,
    obj: KObject,
    old: KObject,
    rev: number,
    p: WriteParams,
    now: Date,
  ): Promise<KObject> {
    const s = this.strategy(ri);
    const name = old.metadata.name!;
    const key = this.key(ri, old.metadata.namespace, name);
    // A terminating object leaves the store when this update removed its last finalizer. Other
    // updates (a node agent's status during a pod's grace period) keep it (shouldDeleteDuringUpdate).
    const hadFinalizers = (old.metadata.finalizers?.length ?? 0) > 0 || !this.finalizersDone(ri, old);
    const graceOver = (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0;
    if (
      obj.metadata.deletionTimestamp &&
      hadFinalizers &&
      graceOver &&
      !obj.metadata.finalizers?.length &&
      this.finalizersDone(ri, obj)
    ) {
      if (p.dryRun) return obj;
      const deleted = await this.deleteNow(ri, key, rev, name);
      return deleted;
    }
    const undo: Undo | undefined = s.beforeUpdate
      ? await s.beforeUpdate(obj, old, { dryRun: p.dryRun, now })
      : undefined;
    if (p.dryRun) {
      await undo?.();
      return obj;
    }
    let stored: KObject;
    try {
      stored = this.decode(await this.store.update(key, this.encode(obj), rev));
    } catch (e) {
      await undo?.();
      if (e instanceof StoreError && e.code === 'Conflict') throw errors.staleObject(gr(ri), name);
      if (e instanceof StoreError && e.code === 'NotFound') throw errors.notFound(gr(ri), name);
      throw e;
    }
    await s.afterUpdate?.(stored, old);
    return stored;
  }

  /** Namespaces also wait for spec.finalizers (the namespace controller's). */
  private finalizersDone(ri: ResourceInfo, obj: KObject): boolean {
    if (ri.resource !== 'namespaces') return true;
    const spec = obj.spec as { finalizers?: string[] } | undefined;
    return !spec?.finalizers?.length;
  }

  private async deleteNow(ri: ResourceInfo, key: string, rev: number | undefined, name: string): Promise<KObject> {
    try {
      const kv = await this.store.delete(key, rev);
      const obj = this.decode(kv);
      await this.strategy(ri).afterDelete?.(obj);
      return obj;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Conflict') throw errors.staleObject(gr(ri), name);
      if (e instanceof StoreError && e.code === 'NotFound') throw errors.notFound(gr(ri), name);
      throw e;
    }
  }

  /**
   * Read-modify-write with retries on conflict, the way PATCH works: `mutate`
   * gets the live object and returns the desired one.
   */
  async modify(
    ri: ResourceInfo,
    namespace: string | undefined,
    name: string,
    p: WriteParams,
    mutate: (live: KObject) => KObject,
    subresource?: string,
  ): Promise<KObject> {
    for (let attempt = 0; ; attempt++) {
      const live = await this.get(ri, namespace, name);
      const next = mutate(deepClone(live));
      const requested = next.metadata?.resourceVersion;
      // A patch that names a resourceVersion is a precondition; otherwise we base it on what we read.
      // A patched object of the wrong type is kube's 422 on "patch", not the 400 of a body.
      const decoded = this.decodeBody(ri, next, { ...p, patched: next });
      if (!requested) decoded.metadata.resourceVersion = live.metadata.resourceVersion;
      try {
        return await this.update(ri, namespace, name, decoded, p, { subresource, decoded: true });
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'Conflict' && !requested && attempt < 5) continue;
        throw e;
      }
    }
  }

  async delete(ri: ResourceInfo, namespace: string | undefined, name: string, p: DeleteParams): Promise<DeleteResult> {
    // This server's own deletes are seen before the watch says so: a create right after must read the namespace.
    if (ri.resource === 'namespaces' && ri.group === '') this.namespaceCache?.forget(name);
    const key = this.key(ri, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw errors.notFound(gr(ri), name);
      const obj = this.decode(kv);
      const pre = p.preconditions;
      if (pre?.uid && pre.uid !== obj.metadata.uid) {
        throw errors.conflict(
          gr(ri),
          name,
          `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
        throw errors.conflict(
          gr(ri),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
        );
      }
      await this.admission?.admit({ ri, operation: 'delete', obj, user: p.user, dryRun: p.dryRun });
      try {
        return await this.deleteOnce(ri, key, kv.modRevision, obj, p);
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'Conflict' && !pre?.resourceVersion && attempt < 5) continue;
        throw e;
      }
    }
  }

  private async deleteOnce(
    ri: ResourceInfo,
    key: string,
    rev: number,
    obj: KObject,
    p: DeleteParams,
  ): Promise<DeleteResult> {
    const name = obj.metadata.name!;
    const s = this.strategy(ri);
    const grace = s.gracePeriod ? s.gracePeriod(obj, p.gracePeriodSeconds) : 0;
    const had = obj.metadata.finalizers ?? [];
    // Orphan and Foreground deletion are finalizers the garbage collector removes when it is done.
    const finalizers = s.noDependents ? had : deletionFinalizers(had, p.propagationPolicy, p.orphanDependents);
    const pendingFinalizers = finalizers.length > 0 || !this.finalizersDone(ri, obj);
    if (grace > 0 || pendingFinalizers) {
      const next = deepClone(obj);
      if (!sameFinalizers(had, finalizers)) next.metadata.finalizers = finalizers;
      const now = Date.now();
      const deadline = new Date(now + grace * 1000);
      const current = next.metadata.deletionTimestamp ? Date.parse(next.metadata.deletionTimestamp) : Infinity;
      if (deadline.getTime() < current) {
        // A later delete may only shorten the grace period.
        next.metadata.deletionTimestamp = nowRFC3339(deadline);
        next.metadata.deletionGracePeriodSeconds = grace;
      }
      s.prepareForUpdate?.(next, obj, 'delete');
      if (p.dryRun) return { deleted: false, object: next };
      if (sameContent(next, obj)) return { deleted: false, object: obj };
      try {
        return { deleted: false, object: this.decode(await this.store.update(key, this.encode(next), rev)) };
      } catch (e) {
        if (e instanceof StoreError && e.code === 'Conflict') throw errors.staleObject(gr(ri), name);
        throw e;
      }
    }
    if (p.dryRun) return { deleted: true, object: obj };
    return { deleted: true, object: await this.deleteNow(ri, key, rev, name) };
  }

  /** Every object of a resource in a namespace (or all), for deletecollection and controllers. */
  async listAll(ri: ResourceInfo, namespace?: string, predicate?: ObjectPredicate): Promise<KObject[]> {
    const list = await this.list(ri, { namespace });
    return predicate ? list.items.filter(predicate) : list.items;
  }
}

/** How long a read from a future resourceVersion waits for the store (kube's watch cache: 3 s). */
const FRESHNESS_WAIT_MS = 3_000;
const FRESHNESS_POLL_MS = 50;

function parseRevision(rv: string): number {
  // Digits only, as Go's strconv.ParseUint reads it ("1e3" and " 5" are not versions).
  const n = /^\d{1,16}$/.test(rv) ? Number(rv) : NaN;
  if (!Number.isSafeInteger(n)) throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return n;
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

export function generateName(base: string): string {
  // kube: base truncated so the result fits in 63 characters, plus 5 random characters.
  const b = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return b + suffix;
}

/** Equal apart from resourceVersion and managedFields timestamps. */
function sameContent(a: KObject, b: KObject): boolean {
  return JSON.stringify(normalizeForCompare(a)) === JSON.stringify(normalizeForCompare(b));
}

function normalizeForCompare(o: KObject): unknown {
  const { resourceVersion: _rv, managedFields, ...md } = o.metadata;
  const mf = managedFields?.map(({ time: _t, ...rest }) => rest);
  return canonical({ ...o, metadata: { ...md, managedFields: mf } });
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

function specChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return canonical(rest);
  };
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/** apimachinery's gvkWithDefaults: a missing kind or apiVersion takes the endpoint's. */
export function withDefaultKind(
  input: { kind?: unknown; apiVersion?: unknown },
  kind: string,
  groupVersion: string,
): { kind: string; apiVersion: string } {
  return {
    kind: typeof input.kind === 'string' && input.kind !== '' ? input.kind : kind,
    apiVersion: typeof input.apiVersion === 'string' && input.apiVersion !== '' ? input.apiVersion : groupVersion,
  };
}

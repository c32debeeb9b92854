/**
 * What kubectl reads to learn the API: legacy discovery (/api, /apis,
 * /api/v1, /apis/<g>, /apis/<g>/<v>), aggregated discovery
 * (apidiscovery.k8s.io v2 and v2beta1 on /api and /apis) and /version.
 * Pure functions over api/resources.ts; the HTTP layer only writes them out.
 *
 * The handshake follows client-go's discovery client: kubectl 1.27 sends
 * `Accept: <v2beta1>,application/json`, 1.30+ sends `<v2>,<v2beta1>,application/json`
 * (newest clients prepend a `profile=nopeer` v2 clause). The client decides
 * which body it got by parsing the response Content-Type for g, v and as
 * (order-insensitive, extra parameters ignored), so the Content-Type we send
 * must carry exactly the negotiated g/v/as.
 */
import { createHash } from 'node:crypto';
import { apiGroups, groupVersion, resources, type ResourceInfo, type SubresourceInfo } from '../api/resources.js';

type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

const discoveryGroup = 'apidiscovery.k8s.io';
const discoveryKind = 'APIGroupDiscoveryList';

/** The Content-Type of a discovery response in the given format. */
export function discoveryContentType(format: DiscoveryFormat): string {
  if (format === 'legacy') return 'application/json';
  return `application/json;g=${discoveryGroup};v=${format};as=${discoveryKind}`;
}

interface AcceptClause {
  type: string;
  params: Record<string, string>;
  q: number;
  index: number;
}

function parseAcceptClauses(accept: string): AcceptClause[] {
  return accept.split(',').map((part, index) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const kv of rest) {
      const eq = kv.indexOf('=');
      if (eq > 0)
        params[kv.slice(0, eq).trim().toLowerCase()] = kv
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1');
    }
    const q = params['q'] === undefined ? 1 : Number(params['q']);
    return { type: (type ?? '').toLowerCase(), params, q: Number.isFinite(q) ? q : 1, index };
  });
}

/**
 * Choose the discovery format for an Accept header: the first clause (by q,
 * then by order) that asks for an APIGroupDiscoveryList in JSON at a version
 * we serve wins; anything else gets legacy discovery, which every client accepts.
 * A `profile=nopeer` parameter is accepted and has no effect (no peer servers here).
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  if (!accept) return 'legacy';
  const clauses = parseAcceptClauses(accept)
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const c of clauses) {
    const json = c.type === 'application/json' || c.type === 'application/*' || c.type === '*/*';
    if (!json) continue;
    if (c.params['as'] === undefined && c.params['g'] === undefined) return 'legacy';
    if (c.params['g'] === discoveryGroup && c.params['as'] === discoveryKind) {
      if (c.params['v'] === 'v2' || c.params['v'] === 'v2beta1') return c.params['v'];
    }
  }
  return 'legacy';
}

/** kube-apiserver's storageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

const sortedVerbs = (verbs: readonly string[]): string[] => [...verbs].sort();
const byName =
  <T>(key: (x: T) => string) =>
  (a: T, b: T): number =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

function resourcesOf(group: string, version: string): ResourceInfo[] {
  return resources.filter((r) => r.group === group && r.version === version).sort(byName((r) => r.resource));
}

function groupVersionEntry(group: string, version: string): { groupVersion: string; version: string } {
  return { groupVersion: groupVersion({ group, version }), version };
}

// ---------------------------------------------------------------- legacy

/** GET /api (legacy): APIVersions. serverAddress is host:port as the client reached us. */
export function apiVersions(serverAddress: string): object {
  const core = apiGroups().find((g) => g.group === '');
  return {
    kind: 'APIVersions',
    versions: core ? core.versions : [],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroupBody(
  group: string,
  versions: string[],
): { name: string; versions: object[]; preferredVersion: object } {
  return {
    name: group,
    versions: versions.map((v) => groupVersionEntry(group, v)),
    preferredVersion: groupVersionEntry(group, versions[0]!),
  };
}

/** GET /apis (legacy): APIGroupList of every named group (the core group is served at /api). */
export function apiGroupList(): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups()
      .filter((g) => g.group !== '')
      .map((g) => apiGroupBody(g.group, g.versions)),
  };
}

/** GET /apis/<group>: APIGroup, or undefined when the group is not served (answer 404). */
export function apiGroup(group: string): object | undefined {
  const g = apiGroups().find((x) => x.group === group && group !== '');
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupBody(g.group, g.versions) };
}

function subresourceEntry(ri: ResourceInfo, sub: SubresourceInfo): object {
  return {
    name: `${ri.resource}/${sub.name}`,
    singularName: '',
    namespaced: ri.namespaced,
    ...(sub.group !== undefined ? { group: sub.group, version: sub.version } : {}),
    kind: sub.kind,
    verbs: sortedVerbs(sub.verbs),
  };
}

function resourceEntry(ri: ResourceInfo): object {
  const entry: Record<string, unknown> = {
    name: ri.resource,
    singularName: ri.singular,
    namespaced: ri.namespaced,
    kind: ri.kind,
    verbs: sortedVerbs(ri.verbs),
  };
  if (ri.shortNames.length > 0) entry['shortNames'] = [...ri.shortNames];
  if (ri.categories.length > 0) entry['categories'] = [...ri.categories];
  entry['storageVersionHash'] = storageVersionHash(ri.group, ri.version, ri.kind);
  return entry;
}

/**
 * GET /api/v1 or /apis/<group>/<version>: APIResourceList with one entry per
 * resource and per subresource ("pods/status", "pods/exec", ...), sorted by
 * name as kube-apiserver lists them. undefined when the group/version is not served.
 */
export function apiResourceList(group: string, version: string): object | undefined {
  const list = resourcesOf(group, version);
  if (list.length === 0) return undefined;
  const entries: { name: string; body: object }[] = [];
  for (const ri of list) {
    entries.push({ name: ri.resource, body: resourceEntry(ri) });
    for (const sub of ri.subresources)
      entries.push({ name: `${ri.resource}/${sub.name}`, body: subresourceEntry(ri, sub) });
  }
  entries.sort(byName((e) => e.name));
  // The core list carries no apiVersion on a real server; named groups do.
  const head = group === '' ? { kind: 'APIResourceList' } : { kind: 'APIResourceList', apiVersion: 'v1' };
  return { ...head, groupVersion: groupVersion({ group, version }), resources: entries.map((e) => e.body) };
}

// ---------------------------------------------------------------- aggregated

function responseKind(group: string, version: string, kind: string): object {
  return { group, version, kind };
}

function aggregatedResource(ri: ResourceInfo): object {
  const out: Record<string, unknown> = {
    resource: ri.resource,
    responseKind: responseKind(ri.group, ri.version, ri.kind),
    scope: ri.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: ri.singular,
    verbs: sortedVerbs(ri.verbs),
  };
  if (ri.shortNames.length > 0) out['shortNames'] = [...ri.shortNames];
  if (ri.categories.length > 0) out['categories'] = [...ri.categories];
  if (ri.subresources.length > 0) {
    // client-go drops a subresource without responseKind, so every entry carries one.
    out['subresources'] = [...ri.subresources].sort(byName((s) => s.name)).map((s) => ({
      subresource: s.name,
      responseKind: responseKind(s.group ?? ri.group, s.version ?? ri.version, s.kind),
      verbs: sortedVerbs(s.verbs),
    }));
  }
  return out;
}

function aggregatedGroup(group: string, versions: string[]): object {
  return {
    metadata: group === '' ? {} : { name: group },
    versions: versions.map((version) => ({
      version,
      resources: resourcesOf(group, version).map(aggregatedResource),
      freshness: 'Current',
    })),
  };
}

/**
 * The APIGroupDiscoveryList for /api (scope 'core': the legacy group only) or
 * /apis (scope 'groups': every named group), in apidiscovery.k8s.io/<version>.
 * v2 and v2beta1 share one shape.
 */
export function aggregatedDiscovery(scope: 'core' | 'groups', version: 'v2' | 'v2beta1'): object {
  const groups = apiGroups().filter((g) => (scope === 'core' ? g.group === '' : g.group !== ''));
  return {
    kind: discoveryKind,
    apiVersion: `${discoveryGroup}/${version}`,
    metadata: {},
    items: groups.map((g) => aggregatedGroup(g.group, g.versions)),
  };
}

// ---------------------------------------------------------------- one entry point

interface DiscoveryResponse {
  contentType: string;
  body: object;
  /** Response headers beyond Content-Type; the body depends on Accept, so caches must key on it. */
  headers: Record<string, string>;
}

/**
 * Answer one discovery request. `group`/`version` as parsed from the path
 * (/api: legacy=true, no version; /api/v1: legacy=true, group '', version 'v1';
 * /apis: legacy=false, no group). Returns undefined for an unknown group or
 * version (answer 404). `serverAddress` is host:port as the client reached us.
 */
export function serveDiscovery(
  req: { legacy: boolean; group?: string; version?: string },
  accept: string | undefined,
  serverAddress: string,
): DiscoveryResponse | undefined {
  const headers = { Vary: 'Accept' };
  const json = (body: object | undefined): DiscoveryResponse | undefined =>
    body ? { contentType: discoveryContentType('legacy'), body, headers } : undefined;

  const isRoot = req.version === undefined && (req.legacy || req.group === undefined);
  if (isRoot) {
    const format = negotiateDiscovery(accept);
    if (format !== 'legacy') {
      return {
        contentType: discoveryContentType(format),
        body: aggregatedDiscovery(req.legacy ? 'core' : 'groups', format),
        headers,
      };
    }
    return json(req.legacy ? apiVersions(serverAddress) : apiGroupList());
  }
  if (req.legacy) return json(apiResourceList('', req.version!));
  if (req.version === undefined) return json(apiGroup(req.group!));
  return json(apiResourceList(req.group!, req.version));
}

// ---------------------------------------------------------------- /version

/**
 * The Kubernetes version podnet reports. 1.32 keeps kubectl 1.31, 1.32 and
 * 1.33 inside the +/-1 minor skew `kubectl version` checks (it parses
 * gitVersion as semver, so it must stay valid semver). Older clients such as
 * 1.27 print the same skew WARNING they would print against a real 1.32
 * cluster. "+podnet" is build metadata, not a pre-release, so semver
 * constraints like ">=1.28.0" (Helm charts) still match, as with k3s' "+k3s1".
 */
export const serverVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0+podnet' } as const;

/** GET /version body (apimachinery version.Info). */
export function versionInfo(opts: { gitCommit?: string; buildDate?: string } = {}): object {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return {
    major: serverVersion.major,
    minor: serverVersion.minor,
    gitVersion: serverVersion.gitVersion,
    gitCommit: opts.gitCommit ?? '',
    gitTreeState: opts.gitCommit ? 'clean' : '',
    buildDate: opts.buildDate ?? '',
    // Not built with Go: report the runtime that actually serves the API.
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${arch}`,
  };
}

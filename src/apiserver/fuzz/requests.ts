/**
 * Hostile and malformed requests for the API server fuzz test: every verb
 * on every resource, with bodies built from the kind's schema and then
 * broken (wrong types, deep nesting, huge values, bad syntax, YAML aliases,
 * protobuf junk), hostile patches of every type, odd headers and query
 * strings. Pure: the same seed gives the same requests.
 */
import { groupVersion, resources, type ResourceInfo } from '../../api/resources.js';
import { resolve, schemaForKind, type Schema } from '../../api/schema/index.js';
import type { Random } from './random.js';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Subresources that open streams to a node agent: not the API server's own answers. */
const STREAMING = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

/** The namespace requests mostly go to; namespaces the fuzz creates and deletes have other names. */
export const FUZZ_NAMESPACE = 'fuzz';
const NAMES = ['a', 'b', 'fuzz-1', 'x'.repeat(70), 'UPPER', 'dots.in.name', '%2e%2e', 'a%2Fb', '-', ''];
const NAMESPACE_NAMES = ['fuzz-ns-1', 'fuzz-ns-2'];

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/yaml',
  'application/json; charset=utf-8',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
  ';;;',
  'application/json; charset=utf-16',
];
const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];
const ACCEPTS = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf, */*',
  'application/yaml',
  'text/html',
  '*/*;q=0',
  'application/json;as=Nope;v=v9;g=x',
  ';=;=',
];

/** Query parameters clients send, each with good, bad and hostile values. */
const QUERY: Record<string, string[]> = {
  labelSelector: [
    'app=x',
    'app in (a,b)',
    '!app',
    'a==b',
    'app notin ()',
    '(((',
    'a=b,'.repeat(500),
    'x=' + 'y'.repeat(70),
  ],
  fieldSelector: ['metadata.name=a', 'spec.nodeName=n1', 'status.phase!=Running', 'nope=1', '=', 'metadata.name==a==b'],
  limit: ['1', '2', '0', '-1', 'abc', '99999999999999999999', '1.5'],
  continue: ['', 'garbage', 'eyJ2IjoxfQ', Buffer.from('{"rv":-1,"start":"/x"}').toString('base64url')],
  resourceVersion: ['0', '', '1', 'abc', '-5', '1e3', '00001'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'Bogus', ''],
  timeoutSeconds: ['1', '0', '-1', 'x'],
  watch: ['true', '1', 'false', 'yes'],
  allowWatchBookmarks: ['true', 'false', 'x'],
  sendInitialEvents: ['true', 'false'],
  dryRun: ['All', 'None', ''],
  fieldManager: ['fuzz', '', 'm'.repeat(200), '\u0000'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'Loud'],
  force: ['true', 'false', 'maybe'],
  propagationPolicy: ['Foreground', 'Background', 'Orphan', 'Sometimes'],
  gracePeriodSeconds: ['0', '30', '-1', 'soon', '1e400'],
  orphanDependents: ['true', 'false'],
  includeObject: ['None', 'Metadata', 'Object', 'All'],
  pretty: ['true', '1'],
};

export function randomRequest(rnd: Random): FuzzRequest {
  const ri = rnd.pick(resources);
  const verb = rnd.pick(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'junk']);
  const sub = ri.subresources.filter((s) => !STREAMING.has(s.name));
  const subresource = sub.length > 0 && rnd.chance(0.15) ? rnd.pick(sub).name : undefined;
  const name = ri.resource === 'namespaces' ? rnd.pick(NAMESPACE_NAMES) : rnd.pick(NAMES);
  const collection = collectionPath(ri, rnd);
  const one = `${collection}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
  const headers: Record<string, string> = {};
  if (rnd.chance(0.5)) headers['accept'] = rnd.pick(ACCEPTS);
  if (rnd.chance(0.2)) headers['user-agent'] = rnd.pick(['kubectl/v1.32', '', 'x'.repeat(300), 'ä/ö']);
  const query = randomQuery(rnd, verb === 'watch' ? { watch: 'true', timeoutSeconds: '1' } : {});
  let method: string;
  let path: string;
  let body: Buffer | undefined;
  switch (verb) {
    case 'get':
      [method, path] = ['GET', one];
      break;
    case 'list':
    case 'watch':
      [method, path] = ['GET', collection];
      break;
    case 'create':
      [method, path] = ['POST', rnd.chance(0.9) ? collection : one];
      body = randomObjectBody(rnd, ri, name, headers);
      break;
    case 'update':
      [method, path] = ['PUT', one];
      body = randomObjectBody(rnd, ri, name, headers);
      break;
    case 'patch':
      [method, path] = ['PATCH', one];
      body = randomPatchBody(rnd, ri, name, headers);
      break;
    case 'delete':
      [method, path] = ['DELETE', one];
      if (rnd.chance(0.5)) {
        body = Buffer.from(
          rnd.pick([
            '{"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":0}',
            '{"preconditions":{"uid":"nope"}}',
            '{"propagationPolicy":7}',
            '{"dryRun":"All"}',
            '[1,2',
            'null',
          ]),
        );
        headers['content-type'] = 'application/json';
      }
      break;
    case 'deletecollection':
      [method, path] = ['DELETE', collection];
      break;
    default:
      [method, path] = [
        rnd.pick(['OPTIONS', 'TRACE', 'PROPFIND', 'HEAD', 'POST', 'PUT']),
        rnd.pick([one, collection, '/api/v1/../../etc', '/apis/x/y/z', '//', '/api/v1/namespaces/%zz/pods']),
      ];
      if (rnd.chance(0.5)) body = randomJunk(rnd);
  }
  return { method, path: path + query, headers, body };
}

function collectionPath(ri: ResourceInfo, rnd: Random): string {
  const base = ri.group ? `/apis/${ri.group}/${ri.version}` : `/api/${ri.version}`;
  if (!ri.namespaced) return `${base}/${ri.resource}`;
  if (rnd.chance(0.1)) return `${base}/${ri.resource}`; // across namespaces
  const ns = rnd.chance(0.9) ? FUZZ_NAMESPACE : rnd.pick(['default', 'no-such-ns', 'BAD_NS', '%00']);
  return `${base}/namespaces/${ns}/${ri.resource}`;
}

function randomQuery(rnd: Random, fixed: Record<string, string>): string {
  const params = new URLSearchParams(fixed);
  const keys = Object.keys(QUERY);
  for (let i = rnd.int(4); i > 0; i--) {
    const key = rnd.pick(keys);
    if (key === 'watch' || key === 'timeoutSeconds') continue; // a watch only where it is meant to be (it holds the connection)
    params.append(key, rnd.pick(QUERY[key]!));
  }
  const s = params.toString();
  if (rnd.chance(0.05)) return `?${s}&%zz=1&&=&a=%`;
  return s ? `?${s}` : '';
}

/** An object body for the kind: generated from its schema, then possibly broken. */
function randomObjectBody(rnd: Random, ri: ResourceInfo, name: string, headers: Record<string, string>): Buffer {
  const obj = objectFor(rnd, ri, name);
  const roll = rnd.next();
  if (roll < 0.5) {
    headers['content-type'] = rnd.chance(0.9) ? 'application/json' : rnd.pick(CONTENT_TYPES);
    return Buffer.from(withDeepValues(JSON.stringify(obj)));
  }
  if (roll < 0.6) {
    headers['content-type'] = 'application/yaml';
    return Buffer.from(rnd.chance(0.5) ? aliasBomb(name, ri) : toFlowYaml(obj));
  }
  headers['content-type'] = rnd.pick(CONTENT_TYPES);
  return rnd.chance(0.5) ? Buffer.from(breakJson(rnd, JSON.stringify(obj))) : randomJunk(rnd);
}

function randomPatchBody(rnd: Random, ri: ResourceInfo, name: string, headers: Record<string, string>): Buffer {
  const type = rnd.chance(0.9) ? rnd.pick(PATCH_TYPES) : rnd.pick(CONTENT_TYPES);
  headers['content-type'] = type;
  if (type === 'application/json-patch+json') return Buffer.from(JSON.stringify(randomJsonPatch(rnd)));
  const obj = objectFor(rnd, ri, name);
  if (type === 'application/apply-patch+yaml' && rnd.chance(0.3)) return Buffer.from(aliasBomb(name, ri));
  if (rnd.chance(0.2)) return Buffer.from(breakJson(rnd, JSON.stringify(obj)));
  if (rnd.chance(0.1)) return randomJunk(rnd);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return Buffer.from(JSON.stringify(obj));
  // Merge and strategic patches: a partial object, with directives strategic merge knows.
  const patch = obj as Record<string, unknown>;
  if (rnd.chance(0.3)) patch['$patch'] = rnd.pick(['replace', 'delete', 'merge', 'bogus', 7]);
  if (rnd.chance(0.3)) patch['$setElementOrder/spec'] = rnd.pick([[], [{}], 'x', null]);
  if (rnd.chance(0.3)) patch['$retainKeys'] = rnd.pick([['a'], 'x', 5]);
  return Buffer.from(withDeepValues(JSON.stringify(patch)));
}

const POINTERS = [
  '/data',
  '/metadata',
  '/metadata/labels',
  '/metadata/labels/a',
  '/spec',
  '/spec/ports/0',
  '/spec/ports/-',
  '',
  '/',
  '/~2',
  '/metadata/name',
  '/status',
  '/a/b/c/d',
  '/items/99999999',
];

function randomJsonPatch(rnd: Random): unknown {
  const ops: unknown[] = [];
  // Sometimes a copy bomb: each copy doubles what is already there.
  if (rnd.chance(0.1)) {
    ops.push({ op: 'add', path: '/metadata/annotations', value: { seed: 'x'.repeat(256) } });
    for (let i = 0; i < 40; i++)
      ops.push({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` });
    return ops;
  }
  for (let i = rnd.int(6); i >= 0; i--) {
    const op: Record<string, unknown> = {
      op: rnd.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'nope', 7]),
    };
    if (rnd.chance(0.9)) op['path'] = rnd.pick(POINTERS);
    if (rnd.chance(0.5)) op['from'] = rnd.pick(POINTERS);
    if (rnd.chance(0.7)) op['value'] = randomValue(rnd, 3);
    ops.push(op);
  }
  return rnd.chance(0.1) ? { not: 'a list' } : ops;
}

function objectFor(rnd: Random, ri: ResourceInfo, name: string): unknown {
  const schema = schemaForKind(groupVersion(ri), ri.kind);
  const obj = (schema ? fromSchema(rnd, schema, 0) : {}) as Record<string, unknown>;
  if (typeof obj !== 'object' || obj === null) return obj;
  if (rnd.chance(0.9)) {
    obj['apiVersion'] = groupVersion(ri);
    obj['kind'] = ri.kind;
  }
  if (rnd.chance(0.8)) {
    const md = (typeof obj['metadata'] === 'object' && obj['metadata'] !== null ? obj['metadata'] : {}) as Record<
      string,
      unknown
    >;
    md['name'] = name;
    delete md['resourceVersion'];
    obj['metadata'] = md;
  }
  // Spliced in as text by withDeepValues: building it as a value would overflow the test's own stack.
  if (rnd.chance(0.05)) obj['deep'] = `${DEEP}${rnd.pick([50, 998, 1001, 20_000])}`;
  if (rnd.chance(0.05)) obj['big'] = 'x'.repeat(rnd.pick([10_000, 1_000_000]));
  return obj;
}

/** A random value shaped by the schema, with a chance of the wrong type at every step. */
function fromSchema(rnd: Random, schema: Schema, depth: number): unknown {
  if (rnd.chance(0.03)) return randomValue(rnd, 2);
  const s = resolve(schema);
  if (depth > 6) return undefined;
  switch (s.type) {
    case 'string':
      if (s.enum && rnd.chance(0.7)) return rnd.pick(s.enum);
      return rnd.pick([
        '',
        'a',
        'x-1',
        '10.0.0.1',
        '80',
        'TCP',
        '2024-01-01T00:00:00Z',
        '\u0000',
        '😀',
        'a'.repeat(300),
      ]);
    case 'integer':
      return rnd.pick([0, 1, 80, -1, 65536, 2 ** 31, 1.5]);
    case 'number':
      return rnd.pick([0, 0.5, -1e308]);
    case 'boolean':
      return rnd.chance(0.5);
    case 'int-or-string':
    case 'quantity':
      return rnd.pick([80, 'http', '100m', '1Gi', '', -1]);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = rnd.int(3); i > 0; i--)
        out[rnd.pick(['a', 'app', 'k8s.io/x', '', 'UP', 'a/b/c'])] = fromSchema(rnd, s.values, depth + 1);
      return out;
    }
    case 'array': {
      const out: unknown[] = [];
      for (let i = rnd.int(3); i > 0; i--) out.push(fromSchema(rnd, s.items, depth + 1));
      return out;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(s.properties)) {
        if (rnd.chance(0.35)) {
          const v = fromSchema(rnd, field, depth + 1);
          if (v !== undefined) out[key] = v;
        }
      }
      if (rnd.chance(0.05)) out['unknownField'] = 1;
      return out;
    }
    case 'any':
      return randomValue(rnd, 2);
    default:
      return null;
  }
}

function randomValue(rnd: Random, depth: number): unknown {
  switch (rnd.int(depth > 0 ? 8 : 6)) {
    case 0:
      return null;
    case 1:
      return rnd.chance(0.5);
    case 2:
      return rnd.pick([0, -1, 1e308, 2 ** 53 + 1, 0.1]);
    case 3:
      return rnd.pick(['', 'x', '\ud800', '{}', '$patch']);
    case 4:
      return 'y'.repeat(rnd.pick([1, 1000]));
    case 5:
      return {};
    case 6:
      return [randomValue(rnd, depth - 1), randomValue(rnd, depth - 1)];
    default:
      return { k: randomValue(rnd, depth - 1), $patch: 'delete' };
  }
}

const DEEP = '$deep-value:';

/** JSON text with each DEEP marker replaced by an object nested that many levels. */
function withDeepValues(json: string): string {
  return json.replace(
    /"\$deep-value:(\d+)"/g,
    (_m, n: string) => '{"a":'.repeat(Number(n)) + '1' + '}'.repeat(Number(n)),
  );
}

/** Truncate, duplicate keys, stray bytes, a huge number: JSON a careless or hostile client sends. */
function breakJson(rnd: Random, json: string): string {
  switch (rnd.int(6)) {
    case 0:
      return json.slice(0, rnd.int(json.length));
    case 1:
      return json.replace('{', '{"kind":"x","kind":"y",');
    case 2:
      return json + '}'.repeat(rnd.int(3) + 1);
    case 3:
      return json.replace(/:/, ':1' + '0'.repeat(400) + ',"n":');
    case 4:
      return '\ufeff' + json;
    default:
      return json.replace(/"/g, (q) => (rnd.chance(0.02) ? "'" : q));
  }
}

function randomJunk(rnd: Random): Buffer {
  const n = rnd.pick([0, 1, 7, 100, 5000]);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = rnd.int(256);
  // Sometimes the protobuf envelope's magic, followed by garbage.
  if (n > 4 && rnd.chance(0.3)) b.write('k8s\0', 0, 'latin1');
  return b;
}

/** A YAML "billion laughs" of nine levels. */
function aliasBomb(name: string, ri: ResourceInfo): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `apiVersion: ${groupVersion(ri)}\nkind: ${ri.kind}\nmetadata:\n  name: ${name}\nbomb:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/** JSON is flow-style YAML. */
const toFlowYaml = (obj: unknown) => JSON.stringify(obj);

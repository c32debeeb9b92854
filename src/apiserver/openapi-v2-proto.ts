/**
 * GET /openapi/v2 in protobuf: the Swagger 2.0 document of openapi.ts
 * encoded as gnostic's openapi_v2.Document (github.com/google/gnostic-models,
 * OpenAPIv2.proto), which is what client-go's OpenAPISchema() asks for
 * (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf) and
 * can only parse. kubectl 1.27 reads it on every create/apply/replace with
 * validation on and on explain, so it must be real protobuf, not JSON.
 *
 * Only the parts of the message set our documents use are encoded: info,
 * paths (operations, query/path/body parameters, responses), definitions
 * (type, format, properties, items, additionalProperties, required, $ref)
 * and vendor extensions (their values as YAML text; JSON is valid YAML).
 */
import { openapiV2Document } from './openapi.js';

/**
 * Content-Type of the protobuf response. Clients ask with the "@v1.0" form,
 * but "@" is not a MIME token character and Go's mime.ParseMediaType (run by
 * client-go on every response) rejects it, so kube-apiserver answers with the
 * dotted form; so do we.
 */
export const openapiV2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** True when an Accept header asks for the protobuf v2 document (either spelling). */
export function acceptsOpenAPIV2Protobuf(accept: string | undefined): boolean {
  return /com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/i.test(accept ?? '');
}

type Json = Record<string, unknown>;

/** A protobuf message under construction: fields appended in order. */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  private varint(n: number): void {
    const bytes: number[] = [];
    while (n > 0x7f) {
      bytes.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    bytes.push(n);
    this.push(Uint8Array.from(bytes));
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  string(field: number, s: string | undefined): this {
    if (!s) return this; // proto3: default values are not written
    const b = Buffer.from(s, 'utf8');
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  strings(field: number, xs: unknown): this {
    if (Array.isArray(xs)) for (const x of xs) if (typeof x === 'string') this.string(field, x);
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b === true) {
      this.key(field, 0);
      this.varint(1);
    }
    return this;
  }

  message(field: number, m: Writer | undefined): this {
    if (!m) return this;
    const b = m.finish();
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

const w = (): Writer => new Writer();
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Vendor extensions ("x-...") as repeated NamedAny { name = 1; Any value = 2 { yaml = 2 } }. */
function extensions(m: Writer, field: number, o: Json): void {
  for (const [k, v] of Object.entries(o)) {
    if (k.startsWith('x-'))
      m.message(
        field,
        w()
          .string(1, k)
          .message(2, w().string(2, JSON.stringify(v) + '\n')),
      );
  }
}

function schema(s: Json): Writer {
  const m = w();
  m.string(1, s['$ref'] as string | undefined)
    .string(2, s['format'] as string | undefined)
    .string(4, s['description'] as string | undefined)
    .strings(19, s['required']);
  if (Array.isArray(s['enum'])) for (const e of s['enum']) m.message(20, w().string(2, JSON.stringify(e) + '\n'));
  if (isObj(s['additionalProperties'])) m.message(21, w().message(1, schema(s['additionalProperties'])));
  if (typeof s['type'] === 'string') m.message(22, w().string(1, s['type']));
  if (isObj(s['items'])) m.message(23, w().message(1, schema(s['items'])));
  if (isObj(s['properties'])) {
    const props = w();
    for (const [name, p] of Object.entries(s['properties']))
      if (isObj(p)) props.message(1, w().string(1, name).message(2, schema(p)));
    m.message(25, props);
  }
  extensions(m, 31, s);
  return m;
}

/** ParametersItem { Parameter parameter = 1 { body = 1 | non_body = 2 { query = 3 | path = 4 } } }. */
function parameter(p: Json): Writer {
  let param: Writer;
  if (p['in'] === 'body') {
    const body = w()
      .string(1, p['description'] as string)
      .string(2, p['name'] as string)
      .string(3, 'body')
      .bool(4, p['required']);
    if (isObj(p['schema'])) body.message(5, schema(p['schema']));
    param = w().message(1, body);
  } else if (p['in'] === 'path') {
    const sub = w()
      .bool(1, p['required'])
      .string(2, 'path')
      .string(3, p['description'] as string)
      .string(4, p['name'] as string)
      .string(5, p['type'] as string)
      .bool(19, p['uniqueItems']);
    param = w().message(2, w().message(4, sub));
  } else {
    const sub = w()
      .bool(1, p['required'])
      .string(2, 'query')
      .string(3, p['description'] as string)
      .string(4, p['name'] as string)
      .string(6, p['type'] as string)
      .bool(20, p['uniqueItems']);
    param = w().message(2, w().message(3, sub));
  }
  return w().message(1, param);
}

function operation(o: Json): Writer {
  const m = w()
    .strings(1, o['tags'])
    .string(3, o['description'] as string)
    .string(5, o['operationId'] as string)
    .strings(6, o['produces'])
    .strings(7, o['consumes']);
  if (Array.isArray(o['parameters'])) for (const p of o['parameters']) if (isObj(p)) m.message(8, parameter(p));
  if (isObj(o['responses'])) {
    const rs = w();
    for (const [code, r] of Object.entries(o['responses'])) {
      if (!isObj(r)) continue;
      const resp = w().string(1, r['description'] as string);
      if (isObj(r['schema'])) resp.message(2, w().message(1, schema(r['schema'])));
      rs.message(1, w().string(1, code).message(2, w().message(1, resp)));
    }
    m.message(9, rs);
  }
  m.strings(10, o['schemes']);
  extensions(m, 13, o);
  return m;
}

const methodField: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json): Writer {
  const m = w();
  for (const [method, field] of Object.entries(methodField))
    if (isObj(item[method])) m.message(field, operation(item[method]));
  if (Array.isArray(item['parameters'])) for (const p of item['parameters']) if (isObj(p)) m.message(9, parameter(p));
  return m;
}

/** Encodes a Swagger 2.0 JSON document (as openapi.ts builds it) as openapi_v2.Document. */
function encodeOpenAPIV2(doc: Json): Uint8Array {
  const m = w().string(1, doc['swagger'] as string);
  const info = isObj(doc['info']) ? doc['info'] : {};
  m.message(
    2,
    w()
      .string(1, info['title'] as string)
      .string(2, info['version'] as string),
  );
  if (isObj(doc['paths'])) {
    const paths = w();
    for (const [path, item] of Object.entries(doc['paths']))
      if (isObj(item)) paths.message(2, w().string(1, path).message(2, pathItem(item)));
    m.message(8, paths);
  }
  if (isObj(doc['definitions'])) {
    const defs = w();
    for (const [name, s] of Object.entries(doc['definitions']))
      if (isObj(s)) defs.message(1, w().string(1, name).message(2, schema(s)));
    m.message(9, defs);
  }
  return m.finish();
}

let cached: Uint8Array | undefined;

/** GET /openapi/v2 with a protobuf Accept: the served document, encoded once. */
export function openapiV2Protobuf(): Uint8Array {
  return (cached ??= encodeOpenAPIV2(openapiV2Document() as Json));
}

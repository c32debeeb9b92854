/**
 * Kubernetes protobuf request bodies (Content-Type
 * application/vnd.kubernetes.protobuf) decoded into the JSON object the same
 * Go value would marshal to, so the rest of the server sees no difference
 * from a JSON body.
 */
import { errors } from '../errors.js';
import type { KObject } from '../meta.js';
import { definitionName } from '../schema/index.js';
import { isVarint, messageName, toField, type ElemType, type Field } from './layout.js';
import { messages } from './messages.js';
import {
  ProtoReader,
  varintToInt32,
  varintToInt64,
  WIRE_BYTES,
  WIRE_FIXED64,
  WIRE_VARINT,
  WireError,
  type WireValue,
} from './wire.js';

/** The 4-byte prefix of every Kubernetes protobuf document: "k8s\0". */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** The media type kube clients send protobuf bodies with. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The envelope: runtime.Unknown {typeMeta(1) {apiVersion(1), kind(2)}, raw(2), contentEncoding(3), contentType(4)}. */
interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const utf8 = new TextDecoder();

/**
 * Decodes a Kubernetes protobuf body (magic prefix + runtime.Unknown) into
 * the object a JSON body would carry: kind and apiVersion from the
 * envelope, fields named and shaped as Go marshals them to JSON (omitempty
 * honored, nil slices/maps/pointers left out). Unknown field numbers are
 * skipped. Throws ApiError 400 when the body is malformed or its kind is
 * not one the server serves.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): KObject {
  const env = readEnvelope(body);
  const def = definitionName(env.apiVersion, env.kind);
  if (!def || !messages[def]) {
    throw errors.badRequest(
      `no kind "${env.kind}" is registered for version "${env.apiVersion}": the protobuf body's kind is not served by this server`,
    );
  }
  try {
    return { kind: env.kind, apiVersion: env.apiVersion, ...decodeMessage(def, env.raw) } as KObject;
  } catch (e) {
    if (e instanceof WireError) throw errors.badRequest(`the protobuf body is not a valid ${env.kind}: ${e.message}`);
    throw e;
  }
}

/** Reads the magic prefix and the runtime.Unknown envelope; ApiError 400 when they are not there. */
function readEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (body.length < 4 || PROTOBUF_MAGIC.some((b, i) => body[i] !== b)) {
    throw errors.badRequest(
      `the request body is not Kubernetes protobuf: it must start with the 4-byte prefix "k8s\\x00" (or send JSON with Content-Type: application/json)`,
    );
  }
  const env: ProtobufEnvelope = {
    apiVersion: '',
    kind: '',
    raw: new Uint8Array(0),
    contentEncoding: '',
    contentType: '',
  };
  try {
    for (const f of ProtoReader.fields(body.subarray(4))) {
      if (f.value.wire !== WIRE_BYTES) continue;
      const b = f.value.bytes;
      if (f.num === 1) {
        for (const t of ProtoReader.fields(b)) {
          if (t.value.wire !== WIRE_BYTES) continue;
          if (t.num === 1) env.apiVersion = utf8.decode(t.value.bytes);
          if (t.num === 2) env.kind = utf8.decode(t.value.bytes);
        }
      } else if (f.num === 2) env.raw = b;
      else if (f.num === 3) env.contentEncoding = utf8.decode(b);
      else if (f.num === 4) env.contentType = utf8.decode(b);
    }
  } catch (e) {
    if (e instanceof WireError)
      throw errors.badRequest(`the protobuf body's envelope (runtime.Unknown) is malformed: ${e.message}`);
    throw e;
  }
  if (env.contentEncoding)
    throw errors.badRequest(
      `the protobuf body's content encoding "${env.contentEncoding}" is not supported: send it unencoded`,
    );
  if (!env.kind) throw errors.badRequest(`Object 'Kind' is missing in the protobuf body`);
  if (!env.apiVersion)
    throw errors.badRequest(`Object 'apiVersion' is missing in the protobuf body of kind ${env.kind}`);
  return env;
}

const fieldCache = new Map<string, { fields: Field[]; byNum: Map<number, Field> }>();

function layoutOf(name: string): { fields: Field[]; byNum: Map<number, Field> } {
  let l = fieldCache.get(name);
  if (!l) {
    const table = messages[name];
    if (!table) throw new Error(`protobuf: no layout for message ${name}`);
    const fields = table.map(toField);
    l = { fields, byNum: new Map(fields.map((f) => [f.num, f])) };
    fieldCache.set(name, l);
  }
  return l;
}

/** One message's fields as JSON properties, in Go declaration order. */
function decodeMessage(name: string, bytes: Uint8Array): Record<string, unknown> {
  const { fields, byNum } = layoutOf(name);
  const seen = new Map<number, WireValue[]>();
  for (const f of ProtoReader.fields(bytes)) {
    if (!byNum.has(f.num)) continue; // a field newer than our table: skip, as Go does
    let list = seen.get(f.num);
    if (!list) seen.set(f.num, (list = []));
    list.push(f.value);
  }
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const values = seen.get(f.num) ?? [];
    const where = `${shortName(name)}.${f.json || '(inline)'}`;
    if (f.inline) {
      Object.assign(out, decodeMessage(messageName(f.type)!, concatBytes(values, where)));
      continue;
    }
    const v = f.map
      ? decodeMap(f, values, where)
      : f.repeated
        ? decodeRepeated(f, values, where)
        : decodeSingle(f, values, where);
    if (v !== undefined) out[f.json] = v;
  }
  return out;
}

const shortName = (name: string): string => name.slice(name.lastIndexOf('.') + 1);

function decodeMap(f: Field, values: WireValue[], where: string): Record<string, unknown> | undefined {
  if (values.length === 0) return undefined; // nil or empty map: omitted (Go writes null without omitempty)
  const out: Record<string, unknown> = {};
  for (const v of values) {
    const entry = ProtoReader.fields(expectBytes(v, where));
    let key = '';
    let val: WireValue | undefined;
    for (const e of entry) {
      if (e.num === 1) key = utf8.decode(expectBytes(e.value, `${where} key`));
      else if (e.num === 2) val = e.value;
    }
    out[key] = val ? elemValue(f.type, val, `${where}[${key}]`) : zeroValue(f.type);
  }
  return out;
}

function decodeRepeated(f: Field, values: WireValue[], where: string): unknown[] | undefined {
  const out: unknown[] = [];
  for (const v of values) {
    if (v.wire === WIRE_BYTES && isVarint(f.type)) {
      for (const x of ProtoReader.packedVarints(v.bytes)) out.push(varintValue(f.type, x));
    } else if (v.wire === WIRE_BYTES && f.type === 'double') {
      const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.byteLength);
      if (v.bytes.length % 8 !== 0) throw new WireError(`${where}: packed doubles are not a multiple of 8 bytes`);
      for (let i = 0; i < v.bytes.length; i += 8) out.push(dv.getFloat64(i, true));
    } else {
      out.push(elemValue(f.type, v, where));
    }
  }
  return out.length > 0 ? out : undefined; // nil and empty slices look alike on the wire
}

function decodeSingle(f: Field, values: WireValue[], where: string): unknown {
  const msg = messageName(f.type);
  if (values.length === 0) {
    if (f.pointer) return undefined;
    if (msg) return decodeMessage(msg, new Uint8Array(0)); // Go never omits a struct value
    const zero = zeroValue(f.type);
    return zero === null || (f.omitEmpty && isEmpty(zero)) ? undefined : zero;
  }
  // A message repeated on the wire merges (protobuf semantics); a scalar takes the last value.
  const v =
    msg || isSpecialMessage(f.type)
      ? ({ wire: WIRE_BYTES, bytes: concatBytes(values, where) } as WireValue)
      : values[values.length - 1]!;
  const value = elemValue(f.type, v, where);
  if (value === null) return undefined; // zero Time, nil FieldsV1/RawExtension: JSON null
  if (!f.pointer && f.omitEmpty && isEmpty(value) && !msg && !isSpecialMessage(f.type)) return undefined;
  return value;
}

const isSpecialMessage = (t: ElemType): boolean =>
  t === 'time' || t === 'microtime' || t === 'fieldsv1' || t === 'quantity' || t === 'intstr' || t === 'rawext';

const isEmpty = (v: unknown): boolean => v === '' || v === 0 || v === false;

/** The JSON of a Go zero value of an element type. */
function zeroValue(t: ElemType): unknown {
  switch (t) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'double':
    case 'intstr':
      return 0;
    case 'quantity':
      return '0';
    case 'time':
    case 'microtime':
    case 'fieldsv1':
    case 'rawext':
      return null;
    default:
      return decodeMessage(messageName(t)!, new Uint8Array(0));
  }
}

function varintValue(t: ElemType, v: { lo: number; hi: number }): unknown {
  if (t === 'bool') return v.lo !== 0 || v.hi !== 0;
  if (t === 'int32') return varintToInt32(v);
  return varintToInt64(v);
}

function expectBytes(v: WireValue, where: string): Uint8Array {
  if (v.wire !== WIRE_BYTES)
    throw new WireError(`${where}: expected a length-delimited value, got wire type ${v.wire}`);
  return v.bytes;
}

function concatBytes(values: WireValue[], where: string): Uint8Array {
  const parts = values.map((v) => expectBytes(v, where));
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One value of an element type, as JSON. Null stands for Go's JSON null (zero Time, nil raw JSON). */
function elemValue(t: ElemType, v: WireValue, where: string): unknown {
  if (isVarint(t)) {
    if (v.wire !== WIRE_VARINT) throw new WireError(`${where}: expected a varint, got wire type ${v.wire}`);
    return varintValue(t, v.v);
  }
  if (t === 'double') {
    if (v.wire !== WIRE_FIXED64) throw new WireError(`${where}: expected a 64-bit float, got wire type ${v.wire}`);
    return new DataView(v.bytes.buffer, v.bytes.byteOffset, 8).getFloat64(0, true);
  }
  const bytes = expectBytes(v, where);
  switch (t) {
    case 'string':
      return utf8.decode(bytes);
    case 'bytes':
      return Buffer.from(bytes).toString('base64');
    case 'time':
    case 'microtime':
      return timeValue(t, bytes, where);
    case 'quantity': {
      const s = stringField(bytes, 1, where);
      return s === '' ? '0' : s;
    }
    case 'intstr': {
      let type = 0;
      let intVal = 0;
      let strVal = '';
      for (const f of ProtoReader.fields(bytes)) {
        if (f.num === 1 && f.value.wire === WIRE_VARINT) type = varintToInt64(f.value.v);
        else if (f.num === 2 && f.value.wire === WIRE_VARINT) intVal = varintToInt32(f.value.v);
        else if (f.num === 3) strVal = utf8.decode(expectBytes(f.value, `${where}.strVal`));
      }
      return type === 1 ? strVal : intVal;
    }
    case 'fieldsv1':
    case 'rawext': {
      const raw = rawField(bytes, where);
      if (raw === undefined || raw.length === 0) return null;
      try {
        return JSON.parse(utf8.decode(raw));
      } catch {
        throw new WireError(`${where}: the embedded object is not JSON (podnet reads embedded objects as JSON only)`);
      }
    }
    default:
      return decodeMessage(messageName(t)!, bytes);
  }
}

function stringField(bytes: Uint8Array, num: number, where: string): string {
  let s = '';
  for (const f of ProtoReader.fields(bytes)) if (f.num === num) s = utf8.decode(expectBytes(f.value, where));
  return s;
}

function rawField(bytes: Uint8Array, where: string): Uint8Array | undefined {
  let raw: Uint8Array | undefined;
  for (const f of ProtoReader.fields(bytes)) if (f.num === 1) raw = expectBytes(f.value, where);
  return raw;
}

/**
 * metav1.Time / MicroTime: a Timestamp {seconds(1), nanos(2)}; empty means
 * the zero time (JSON null). JSON shows UTC, Time to the second, MicroTime
 * with six fractional digits.
 */
function timeValue(t: 'time' | 'microtime', bytes: Uint8Array, where: string): string | null {
  if (bytes.length === 0) return null;
  let seconds = 0;
  let nanos = 0;
  for (const f of ProtoReader.fields(bytes)) {
    if (f.value.wire !== WIRE_VARINT) throw new WireError(`${where}: malformed timestamp`);
    if (f.num === 1) seconds = varintToInt64(f.value.v);
    if (f.num === 2) nanos = varintToInt32(f.value.v);
  }
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw new WireError(`${where}: timestamp out of range`);
  const base = d.toISOString().slice(0, 19);
  if (t === 'time') return `${base}Z`;
  const micros = Math.floor(Math.max(0, Math.min(nanos, 999_999_999)) / 1000);
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}

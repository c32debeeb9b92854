/**
 * The inverse of decode.ts: a JSON-shaped object to Kubernetes protobuf,
 * written the way Go's generated marshalers write it (fields in number
 * order, non-pointer fields always present, map entries sorted by key,
 * repeated scalars unpacked), so podnet can speak protobuf to clients and
 * tests can check decoding against real layouts.
 */
import type { KObject } from '../meta.js';
import { definitionName } from '../schema/index.js';
import { PROTOBUF_MAGIC } from './decode.js';
import { isVarint, messageName, toField, type ElemType, type Field } from './layout.js';
import { messages } from './messages.js';
import { ProtoWriter } from './wire.js';

/**
 * Encodes an object whose apiVersion/kind the server serves (or
 * DeleteOptions/Status) as magic prefix + runtime.Unknown. Throws an Error
 * for a kind without a protobuf layout. Values are taken as they are in
 * JSON; fields the Go type lacks are dropped.
 */
export function encodeKubernetesProtobuf(obj: KObject): Uint8Array {
  const def = definitionName(obj.apiVersion, obj.kind);
  if (!def || !messages[def]) throw new Error(`protobuf: kind ${obj.kind} of ${obj.apiVersion} has no protobuf layout`);
  const typeMeta = new ProtoWriter();
  typeMeta.stringField(1, obj.apiVersion);
  typeMeta.stringField(2, obj.kind);
  const unknown = new ProtoWriter();
  unknown.bytesField(1, typeMeta.finish());
  unknown.bytesField(2, encodeMessage(def, obj));
  unknown.stringField(3, '');
  unknown.stringField(4, '');
  const body = unknown.finish();
  const out = new Uint8Array(PROTOBUF_MAGIC.length + body.length);
  out.set(PROTOBUF_MAGIC);
  out.set(body, PROTOBUF_MAGIC.length);
  return out;
}

const sortedFields = new Map<string, Field[]>();

function fieldsByNumber(name: string): Field[] {
  let fs = sortedFields.get(name);
  if (!fs) {
    const table = messages[name];
    if (!table) throw new Error(`protobuf: no layout for message ${name}`);
    fs = table.map(toField).sort((a, b) => a.num - b.num);
    sortedFields.set(name, fs);
  }
  return fs;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** One message from the JSON properties of `value` (an inline field reads the same object). */
function encodeMessage(name: string, value: Record<string, unknown>): Uint8Array {
  const w = new ProtoWriter();
  for (const f of fieldsByNumber(name)) {
    if (f.inline) {
      w.bytesField(f.num, encodeMessage(messageName(f.type)!, value));
      continue;
    }
    const v = value[f.json];
    if (f.map) {
      if (!present(v)) continue;
      const m = v as Record<string, unknown>;
      // Go's marshalers sort map keys, so equal maps encode to equal bytes.
      for (const key of Object.keys(m).sort()) {
        const entry = new ProtoWriter();
        entry.stringField(1, key);
        if (present(m[key])) writeElem(entry, 2, f.type, m[key]);
        w.bytesField(f.num, entry.finish());
      }
    } else if (f.repeated) {
      if (!present(v)) continue;
      for (const item of v as unknown[]) writeElem(w, f.num, f.type, item);
    } else if (f.pointer) {
      if (present(v)) writeElem(w, f.num, f.type, v);
    } else {
      writeElem(w, f.num, f.type, present(v) ? v : undefined);
    }
  }
  return w.finish();
}

/** Writes one value; undefined stands for the Go zero value of a non-pointer field. */
function writeElem(w: ProtoWriter, num: number, t: ElemType, v: unknown): void {
  if (isVarint(t)) return w.varintField(num, t === 'bool' ? (v ? 1 : 0) : Number(v ?? 0));
  switch (t) {
    case 'double':
      return w.doubleField(num, Number(v ?? 0));
    case 'string':
      return w.stringField(num, text(v ?? ''));
    case 'bytes':
      return w.bytesField(num, Buffer.from(text(v ?? ''), 'base64'));
    case 'time':
    case 'microtime':
      return w.bytesField(num, encodeTime(v));
    case 'quantity': {
      const q = new ProtoWriter();
      q.stringField(1, v === undefined ? '0' : text(v));
      return w.bytesField(num, q.finish());
    }
    case 'intstr': {
      const s = new ProtoWriter();
      const isString = typeof v === 'string';
      s.varintField(1, isString ? 1 : 0);
      s.varintField(2, isString ? 0 : Number(v ?? 0));
      s.stringField(3, isString ? v : '');
      return w.bytesField(num, s.finish());
    }
    case 'fieldsv1':
    case 'rawext': {
      const r = new ProtoWriter();
      if (present(v)) r.stringField(1, JSON.stringify(v));
      return w.bytesField(num, r.finish());
    }
    default:
      return w.bytesField(num, encodeMessage(messageName(t)!, (v ?? {}) as Record<string, unknown>));
  }
}

/** A JSON scalar as Go would read it into a string; an object or array (which no string field holds) as its JSON. */
function text(v: unknown): string {
  if (
    typeof v === 'string' ||
    typeof v === 'number' ||
    typeof v === 'boolean' ||
    typeof v === 'bigint' ||
    v === null ||
    v === undefined
  )
    return String(v);
  return JSON.stringify(v);
}

/** metav1.Time/MicroTime as a Timestamp; the zero time (absent) is an empty message. */
function encodeTime(v: unknown): Uint8Array {
  if (typeof v !== 'string' || v === '') return new Uint8Array(0);
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(v);
  const ms = Date.parse(m ? `${m[1]}${m[3]}` : v);
  if (Number.isNaN(ms)) throw new Error(`protobuf: ${JSON.stringify(v)} is not an RFC 3339 time`);
  const w = new ProtoWriter();
  w.varintField(1, Math.floor(ms / 1000));
  w.varintField(2, m?.[2] ? Number(m[2].padEnd(9, '0')) : 0);
  return w.finish();
}

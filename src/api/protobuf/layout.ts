/**
 * How a Kubernetes object is laid out in protobuf, per message: enough of
 * each Go field (number, JSON name, element type, pointer/slice/map,
 * omitempty) to turn the wire form into exactly the JSON the Go type would
 * marshal to, and back. The table itself is generated (messages.ts).
 */

/**
 * Element types. '@name' is a nested message named like its OpenAPI
 * definition; the rest are scalars or apimachinery types with their own
 * wire and JSON forms (metav1.Time, MicroTime, FieldsV1, resource.Quantity,
 * intstr.IntOrString, runtime.RawExtension).
 */
export type ElemType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'double'
  | 'bytes'
  | 'time'
  | 'microtime'
  | 'fieldsv1'
  | 'quantity'
  | 'intstr'
  | 'rawext'
  | `@${string}`;

/**
 * One Go struct field: [protobuf field number, JSON name ('' when inlined),
 * element type, flags]. Flags: p = pointer, r = slice, m = map with string
 * keys, i = embedded inline struct, o = json omitempty.
 */
type FieldLayout = readonly [number, string, ElemType, string];

/** Message name -> its fields in Go declaration order (the order Go marshals JSON in). */
export type MessageTable = Record<string, readonly FieldLayout[]>;

export interface Field {
  num: number;
  json: string;
  type: ElemType;
  pointer: boolean;
  repeated: boolean;
  map: boolean;
  inline: boolean;
  omitEmpty: boolean;
}

export function toField([num, json, type, flags]: FieldLayout): Field {
  return {
    num,
    json,
    type,
    pointer: flags.includes('p'),
    repeated: flags.includes('r'),
    map: flags.includes('m'),
    inline: flags.includes('i'),
    omitEmpty: flags.includes('o'),
  };
}

/** A nested message's name, or undefined for scalar and special types. */
export const messageName = (t: ElemType): string | undefined => (t.startsWith('@') ? t.slice(1) : undefined);

/** Scalars that travel as varints (and may be packed when repeated). */
export const isVarint = (t: ElemType): boolean => t === 'bool' || t === 'int32' || t === 'int64';

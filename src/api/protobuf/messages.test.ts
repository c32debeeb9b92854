import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definitions, resolve, type Schema } from '../schema/index.js';
import { messageName, toField, type Field } from './layout.js';
import { messages } from './messages.js';

/** A message's JSON-visible fields, inline structs flattened as JSON flattens them. */
function jsonFields(name: string): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const f of messages[name]!.map(toField)) {
    if (f.inline) for (const [k, v] of jsonFields(messageName(f.type)!)) out.set(k, v);
    else out.set(f.json, f);
  }
  return out;
}

/** What shape a schema says a property has, in the protobuf layout's terms. */
function expectedShape(s: Schema): string {
  const r = s.type === 'ref' ? s : undefined;
  if (r) {
    const target = resolve(r);
    return target.type === 'object' ? `message ${r.ref}` : expectedShape(target);
  }
  switch (s.type) {
    case 'array':
      return `repeated ${expectedShape(s.items)}`;
    case 'map':
      return `map ${expectedShape(s.values)}`;
    case 'string':
      return s.format === 'date-time' ? 'time' : s.format === 'byte' ? 'bytes' : 'string';
    case 'integer':
      return s.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'int-or-string':
      return 'intstr';
    case 'quantity':
      return 'quantity';
    case 'any':
      return 'raw';
    default:
      return s.type;
  }
}

function layoutShape(f: Field): string {
  const msg = messageName(f.type);
  let elem = msg
    ? `message ${msg}`
    : f.type === 'microtime'
      ? 'time'
      : f.type === 'fieldsv1' || f.type === 'rawext'
        ? 'raw'
        : f.type;
  if (f.repeated) elem = `repeated ${elem}`;
  if (f.map) elem = `map ${elem}`;
  return elem;
}

test('every schema property of every served message has a protobuf field of the same shape', () => {
  let checked = 0;
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(definitions)) {
    if (schema.type !== 'object' || !messages[name]) continue;
    const fields = jsonFields(name);
    for (const [prop, ps] of Object.entries(schema.properties)) {
      if (prop === 'kind' || prop === 'apiVersion') continue; // carried by the envelope
      const f = fields.get(prop);
      checked++;
      if (!f) problems.push(`${name}.${prop}: no protobuf field`);
      else if (layoutShape(f) !== expectedShape(ps))
        problems.push(`${name}.${prop}: schema ${expectedShape(ps)}, protobuf ${layoutShape(f)}`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 500, `only ${checked} properties checked`);
});

test('every served kind and DeleteOptions has a layout, and every nested message is defined', () => {
  for (const n of [
    'io.k8s.api.core.v1.Pod',
    'io.k8s.api.core.v1.Service',
    'io.k8s.api.discovery.v1.EndpointSlice',
    'io.k8s.api.networking.v1.Ingress',
    'io.k8s.api.coordination.v1.Lease',
    'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  ]) {
    assert.ok(messages[n], n);
  }
  for (const [name, fs] of Object.entries(messages)) {
    const nums = new Set<number>();
    for (const f of fs.map(toField)) {
      const m = messageName(f.type);
      assert.ok(!m || messages[m], `${name} field ${f.num} refers to undefined ${m}`);
      assert.ok(!nums.has(f.num), `${name} reuses field number ${f.num}`);
      nums.add(f.num);
    }
  }
});

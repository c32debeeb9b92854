/**
 * JSON patch (RFC 6902) as kube-apiserver applies application/json-patch+json.
 *
 * Kubernetes reports failures in two ways (apiserver endpoints/handlers/patch.go):
 *  - a body that does not decode as a list of operations: 400 BadRequest with the decoder's text;
 *  - an operation that does not apply (missing path, failed test, bad index):
 *    422 Invalid with the fixed text "the server rejected our request due to an
 *    error in our request" (the detail is dropped by NewGenericServerResponse),
 *    which kubectl prints as "The request is invalid: the server rejected our request ...".
 */
import { ApiError, errors } from '../../api/errors.js';
import { clone, goJsonKind, isMap, jsonEqual } from './json-value.js';

/** One RFC 6902 operation as decoded from the body. */
export interface JsonPatchOperation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** Why an operation did not apply (kept for logs and tests; the client only sees the generic 422). */
export class JsonPatchError extends Error {}

/** kube-apiserver's limit on operations in one JSON patch. */
const maxJSONPatchOperations = 10000;

/**
 * kube-apiserver's JSONPatchMaxCopyBytes: how much all "copy" operations of
 * one patch may add, so a small patch of repeated copies cannot double the
 * object until the server runs out of memory.
 */
const maxAccumulatedCopyBytes = 3 * 1024 * 1024;

/** Decodes a json-patch body, rejecting malformed bodies with 400 as kube does. */
export function decodeJsonPatch(body: string): JsonPatchOperation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw errors.badRequest(
      body.trim() === '' ? 'unexpected end of JSON input' : `invalid character in JSON patch: ${(e as Error).message}`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(parsed)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of parsed) {
    if (!isMap(op))
      throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
  }
  if (parsed.length > maxJSONPatchOperations) {
    throw new ApiError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${parsed.length}`,
    );
  }
  return parsed as JsonPatchOperation[];
}

/** Applies a decoded patch; failures throw JsonPatchError with the reason. Does not modify `doc`. */
export function applyJsonPatchOperations(doc: unknown, ops: JsonPatchOperation[]): unknown {
  let root = clone(doc);
  const copied = { bytes: 0 };
  for (const op of ops) root = applyOne(root, op, copied);
  return root;
}

/**
 * Parses a json-patch body and applies it to `original`, throwing the
 * ApiErrors kube-apiserver returns (400 for undecodable bodies, 422 otherwise).
 */
export function applyJsonPatchBody(original: unknown, body: string): unknown {
  const ops = decodeJsonPatch(body);
  try {
    return applyJsonPatchOperations(original, ops);
  } catch (e) {
    if (e instanceof JsonPatchError) {
      throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
    }
    throw e;
  }
}

/** Splits a JSON pointer into unescaped reference tokens ("" is the whole document). */
function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/'))
    throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyOne(root: unknown, op: JsonPatchOperation, copied: { bytes: number }): unknown {
  const path = typeof op.path === 'string' ? op.path : undefined;
  switch (op.op) {
    case 'add':
      return add(root, requirePath(op, path), clone(op.value ?? null));
    case 'remove':
      return remove(root, requirePath(op, path)).root;
    case 'replace': {
      const tokens = parsePointer(requirePath(op, path));
      if (tokens.length === 0) return clone(op.value ?? null);
      if (get(root, tokens) === undefined)
        throw new JsonPatchError(`replace operation does not apply: doc is missing key: ${op.path}`);
      return set(root, tokens, clone(op.value ?? null));
    }
    case 'move': {
      const from = requireFrom(op);
      const to = requirePath(op, path);
      if (to.startsWith(`${from}/`))
        throw new JsonPatchError(`move operation does not apply: cannot move ${from} into its own child ${to}`);
      const { root: after, value } = remove(root, from);
      return add(after, to, value);
    }
    case 'copy': {
      const value = get(root, parsePointer(requireFrom(op)));
      if (value === undefined)
        throw new JsonPatchError(`copy operation does not apply: doc is missing from path: ${op.from}`);
      copied.bytes += Buffer.byteLength(JSON.stringify(value));
      if (copied.bytes > maxAccumulatedCopyBytes) {
        throw new JsonPatchError(
          `Unable to complete the copy, the accumulated size increase of copy is ${copied.bytes}, exceeding the limit ${maxAccumulatedCopyBytes}`,
        );
      }
      return add(root, requirePath(op, path), clone(value));
    }
    case 'test': {
      const actual = get(root, parsePointer(requirePath(op, path)));
      const expected = op.value ?? null;
      // A missing location equals null, as the Go implementation Kubernetes uses treats it.
      if (!jsonEqual(actual === undefined ? null : actual, expected))
        throw new JsonPatchError(`testing value ${op.path} failed: test failed`);
      return root;
    }
    default:
      throw new JsonPatchError(`Unexpected kind: ${String(op.op)}`);
  }
}

function requirePath(op: JsonPatchOperation, path: string | undefined): string {
  if (path === undefined) throw new JsonPatchError(`operation missing path field: ${op.op}`);
  return path;
}

function requireFrom(op: JsonPatchOperation): string {
  if (typeof op.from !== 'string') throw new JsonPatchError(`operation missing from field: ${op.op}`);
  return op.from;
}

function get(root: unknown, tokens: string[]): unknown {
  let cur: unknown = root;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length - 1);
      if (i === undefined) return undefined;
      cur = cur[i];
    } else if (isMap(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else {
      return undefined;
    }
  }
  return cur;
}

/** A decimal index without leading zeros within [0, max]; undefined otherwise. */
function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function parentOf(root: unknown, tokens: string[], opName: string, pointer: string): unknown {
  const parent = get(root, tokens.slice(0, -1));
  if (!Array.isArray(parent) && !isMap(parent)) {
    throw new JsonPatchError(`${opName} operation does not apply: doc is missing path: ${JSON.stringify(pointer)}`);
  }
  return parent;
}

function add(root: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens, 'add', pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : arrayIndex(last, parent.length);
    if (i === undefined) throw new JsonPatchError(`add operation does not apply: index out of bounds: ${last}`);
    parent.splice(i, 0, value);
  } else {
    (parent as Record<string, unknown>)[last] = value;
  }
  return root;
}

function set(root: unknown, tokens: string[], value: unknown): unknown {
  const parent = get(root, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else (parent as Record<string, unknown>)[last] = value;
  return root;
}

function remove(root: unknown, pointer: string): { root: unknown; value: unknown } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0)
    throw new JsonPatchError('remove operation does not apply: cannot remove the whole document');
  const parent = parentOf(root, tokens, 'remove', pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    if (i === undefined) throw new JsonPatchError(`Unable to access invalid index: ${last}: invalid index referenced`);
    const value: unknown = parent.splice(i, 1)[0];
    return { root, value };
  }
  const m = parent as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(m, last))
    throw new JsonPatchError(`Unable to remove nonexistent key: ${last}: missing value`);
  const value = m[last];
  delete m[last];
  return { root, value };
}

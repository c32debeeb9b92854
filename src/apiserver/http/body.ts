/** Request bodies: size limit, and decoding JSON or YAML with errors that say where. */
import { parseDocument } from 'yaml';
import { errors } from '../../api/errors.js';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/decode.js';
import type { ApiRequest } from './reply.js';

/** kube-apiserver's limit for a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * The deepest nesting of arrays and objects a body may have. Go's decoder
 * (so kube-apiserver) stops at 10,000; V8's own JSON.stringify and every
 * recursive walk of an object overflow the stack near 2,000-5,000, so
 * podnet stops at 1,000 (real objects nest about 20 deep).
 */
const MAX_NESTING_DEPTH = 1_000;

/** kube's message for a body nested too deep, with podnet's limit. */
export const tooDeep = () =>
  errors.badRequest(
    `couldn't get version/kind; json parse error: exceeded max depth: bodies may nest arrays and objects at most ${MAX_NESTING_DEPTH} levels deep`,
  );

/**
 * Whether JSON text (or flow-style YAML) nests arrays and objects deeper
 * than MAX_NESTING_DEPTH, counted without parsing so that a hostile body
 * never reaches a recursive parser or walker. Brackets inside JSON strings
 * do not count.
 */
export function nestedTooDeep(text: string): boolean {
  if (text.length <= MAX_NESTING_DEPTH) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING_DEPTH) return true;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return false;
}

/** The nesting depth of a parsed value, walked without recursion; stops counting past `limit`. */
function valueDepth(value: unknown, limit = MAX_NESTING_DEPTH): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const here = d + 1;
    if (here > deepest) deepest = here;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, here]);
    }
  }
  return deepest;
}

/** How many aliases a YAML body may expand (the yaml package's guard against "billion laughs"). */
const MAX_YAML_ALIASES = 100;

/** The media type without parameters, lower case. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Parse a JSON body; the error names the line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    let where = '';
    if (m) {
      const pos = Number(m[1]);
      const before = text.slice(0, pos);
      const line = before.split('\n').length;
      const col = pos - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${col}`;
    }
    throw errors.badRequest(`the request body is not valid JSON${where}: ${msg}`);
  }
}

/** Parse a YAML body (one document); the error names the line and column. */
export function parseYaml(text: string): unknown {
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    if (e instanceof RangeError) throw yamlTooDeep();
    throw e;
  }
  if (doc.errors.some((e) => /call stack/i.test(e.message))) throw yamlTooDeep();
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    // go-yaml's shape ("yaml: line N: ..."), plus the column.
    const where = pos ? ` line ${pos.line}, column ${pos.col}` : '';
    const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw errors.badRequest(`error converting YAML to JSON: yaml:${where}: ${what}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // go-yaml's words for both: an alias bomb, and a document too deep to build.
    if (e instanceof RangeError) throw yamlTooDeep();
    throw errors.badRequest('error converting YAML to JSON: yaml: document contains excessive aliasing');
  }
  if (valueDepth(value) > MAX_NESTING_DEPTH) throw yamlTooDeep();
  return value;
}

const yamlTooDeep = () =>
  errors.badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);

/** Decode an object body by its Content-Type (JSON or YAML). */
export function decodeBody(body: string, contentType: string | undefined): unknown {
  const type = mediaType(contentType);
  if (body.trim() === '') throw errors.badRequest('the request body is empty: send the object as JSON or YAML');
  if (type === 'application/json' || type === '') return parseJson(body);
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return parseYaml(body);
  throw errors.unsupportedMediaType(contentType ?? '');
}

/**
 * A request whose body is Kubernetes protobuf (what kubectl's typed
 * clients send) turned into the same request with the equivalent JSON
 * body, so every handler (create, update, binding, DeleteOptions) reads
 * JSON. Other requests are returned unchanged. Throws ApiError 400 on a
 * malformed protobuf body.
 */
export function protobufBodyAsJson(req: ApiRequest): ApiRequest {
  if (mediaType(req.headers['content-type']) !== PROTOBUF_MEDIA_TYPE) return req;
  const raw = req.rawBody ?? Buffer.from(req.body, 'utf8');
  if (raw.length === 0) return req;
  const obj = decodeKubernetesProtobuf(raw);
  const { rawBody: _raw, ...rest } = req;
  return { ...rest, headers: { ...req.headers, 'content-type': 'application/json' }, body: JSON.stringify(obj) };
}

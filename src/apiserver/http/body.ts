/** Request bodies: size limit, and decoding JSON or YAML with errors that say where. */
import { parseDocument } from 'yaml';
import { errors } from '../../api/errors.js';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from '../../api/protobuf/decode.js';
import type { ApiRequest } from './reply.js';

/** kube-apiserver's limit for a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

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
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    // go-yaml's shape ("yaml: line N: ..."), plus the column.
    const where = pos ? ` line ${pos.line}, column ${pos.col}` : '';
    const what = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw errors.badRequest(`error converting YAML to JSON: yaml:${where}: ${what}`);
  }
  return doc.toJS();
}

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

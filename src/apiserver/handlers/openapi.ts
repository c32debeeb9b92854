/** /openapi/v2 (JSON or the protobuf kubectl 1.27 needs) and /openapi/v3 as HTTP replies. */
import { createHash } from 'node:crypto';
import { errors } from '../../api/errors.js';
import { openapiV2Document, openapiV3Document, openapiV3Hash, openapiV3Index } from '../openapi.js';
import { acceptsOpenAPIV2Protobuf, openapiV2Protobuf, openapiV2ProtobufContentType } from '../openapi-v2-proto.js';
import { parseAccept } from '../http/negotiate.js';
import { jsonReply, type Reply } from '../http/reply.js';

let v2Json: string | undefined;

export function openapiReply(path: string, accept: string | undefined): Reply {
  if (path === '/openapi/v2') {
    if (acceptsOpenAPIV2Protobuf(accept)) {
      const bytes = openapiV2Protobuf();
      return {
        status: 200,
        headers: { 'Content-Type': openapiV2ProtobufContentType, ETag: etag(bytes) },
        body: bytes,
      };
    }
    const clauses = parseAccept(accept);
    if (
      clauses.length > 0 &&
      !clauses.some((c) => c.type === 'application/json' || c.type === '*/*' || c.type === 'application/*')
    ) {
      throw errors.notAcceptable(
        'only the following media types are accepted: application/json, application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      );
    }
    v2Json ??= JSON.stringify(openapiV2Document());
    return { status: 200, headers: { 'Content-Type': 'application/json', ETag: etag(v2Json) }, body: v2Json };
  }
  if (path === '/openapi/v3') return jsonReply(200, openapiV3Index());
  const doc = openapiV3Document(path);
  if (!doc) throw errors.resourceNotFound();
  const hash = openapiV3Hash(path);
  return jsonReply(200, doc, { ETag: `"${hash}"`, 'Cache-Control': 'public, immutable' });
}

function etag(data: string | Uint8Array): string {
  return `"${createHash('sha512').update(data).digest('hex').toUpperCase()}"`;
}

/** Request-in, response-out: the server's handler works on these so tests can drive it without sockets. */
import { stringify } from 'yaml';
import { ApiError, errors } from '../../api/errors.js';
import type { UserInfo } from '../state/tokens.js';

export interface ApiRequest {
  method: string;
  /** Path with query string, e.g. /api/v1/pods?watch=1 */
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
  /** The body's bytes, for binary bodies (Kubernetes protobuf) that a UTF-8 string would corrupt. */
  rawBody?: Uint8Array;
  /** The user of the connection's verified client certificate, if it has one. */
  clientCertUser?: UserInfo;
}

interface BufferedReply {
  status: number;
  headers: Record<string, string | string[]>;
  /** Text, or bytes for binary documents (the protobuf OpenAPI v2). */
  body: string | Uint8Array;
}

/** A long-lived response (watch): `start` writes chunks until `end`, and returns a stop function for when the client goes away. */
interface StreamingReply {
  status: number;
  headers: Record<string, string>;
  start(write: (chunk: string | Uint8Array) => void, end: () => void): () => void;
}

/**
 * A finite body written as it is produced (a large list): the server waits
 * for the client to take each chunk before asking for the next, and cuts
 * the connection when producing one fails, so a client never takes a
 * broken answer for a whole one.
 */
export interface ChunkedReply {
  status: number;
  headers: Record<string, string>;
  chunks: AsyncIterable<Uint8Array>;
}

export type Reply = BufferedReply | StreamingReply | ChunkedReply;

export const isStreaming = (r: Reply): r is StreamingReply => 'start' in r;
export const isChunked = (r: Reply): r is ChunkedReply => 'chunks' in r;

/** A reply's whole body, for callers that need it at once (tests, replies proxied as one message). */
export async function bodyOf(reply: BufferedReply | ChunkedReply): Promise<Buffer> {
  if (!isChunked(reply)) return Buffer.from(reply.body);
  const parts: Uint8Array[] = [];
  for await (const c of reply.chunks) parts.push(c);
  return Buffer.concat(parts);
}

export function jsonReply(
  status: number,
  body: unknown,
  extraHeaders: Record<string, string | string[]> = {},
): BufferedReply {
  return { status, headers: { 'Content-Type': 'application/json', ...extraHeaders }, body: JSON.stringify(body) };
}

export function yamlReply(status: number, body: unknown): BufferedReply {
  return { status, headers: { 'Content-Type': 'application/yaml' }, body: stringify(body) };
}

export function errorReply(e: unknown): BufferedReply {
  const err = e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
  return jsonReply(err.code, err.toStatus());
}

export function textReply(status: number, text: string): BufferedReply {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: text };
}

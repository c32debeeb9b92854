import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { encodeKubernetesProtobuf } from '../../api/protobuf/encode.js';
import { protobufBodyAsJson } from './body.js';
import type { ApiRequest } from './reply.js';

const req = (contentType: string, raw: Uint8Array): ApiRequest => ({
  method: 'POST',
  url: '/api/v1/namespaces/default/configmaps',
  headers: { 'content-type': contentType },
  body: Buffer.from(raw).toString('utf8'),
  rawBody: raw,
});

test('a protobuf body becomes the equivalent JSON body, binary data intact', () => {
  const cm = {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'c' },
    binaryData: { b: Buffer.from([0xff, 0x00, 0x80]).toString('base64') },
  };
  const out = protobufBodyAsJson(req('application/vnd.kubernetes.protobuf', encodeKubernetesProtobuf(cm)));
  assert.equal(out.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(out.body), cm);
  assert.equal(out.rawBody, undefined);
});

test('JSON requests and empty protobuf bodies pass through unchanged', () => {
  const json = req('application/json', Buffer.from('{"kind":"ConfigMap"}'));
  assert.equal(protobufBodyAsJson(json), json);
  const empty = req('application/vnd.kubernetes.protobuf', new Uint8Array(0));
  assert.equal(protobufBodyAsJson(empty), empty);
});

test('a malformed protobuf body is a 400', () => {
  assert.throws(
    () => protobufBodyAsJson(req('application/vnd.kubernetes.protobuf', Buffer.from('not protobuf'))),
    (e: unknown) => e instanceof ApiError && e.code === 400,
  );
});

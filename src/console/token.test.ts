import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerFromHeader, bearerFromProtocols, BEARER_PROTOCOL_PREFIX, splitProtocols } from './token.js';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

test('bearer token from the Authorization header', () => {
  const cases: [string | undefined, string | undefined][] = [
    ['Bearer abc.def', 'abc.def'],
    ['bearer  xyz', 'xyz'],
    ['Basic dXNlcjpwdw==', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ];
  for (const [header, want] of cases) assert.equal(bearerFromHeader(header), want, String(header));
});

test('bearer token from WebSocket sub-protocols; the rest pass on', () => {
  const cases: [string, { token?: string; protocols: string[] }][] = [
    [
      `v5.channel.k8s.io, v4.channel.k8s.io, ${BEARER_PROTOCOL_PREFIX}${b64('secret-token')}`,
      { token: 'secret-token', protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'] },
    ],
    ['v5.channel.k8s.io', { protocols: ['v5.channel.k8s.io'] }],
    // Not base64url, or a token with a space in it: no token.
    [`v4.channel.k8s.io,${BEARER_PROTOCOL_PREFIX}a+b`, { protocols: ['v4.channel.k8s.io'] }],
    [`${BEARER_PROTOCOL_PREFIX}${b64('a b')}`, { protocols: [] }],
    [`${BEARER_PROTOCOL_PREFIX}`, { protocols: [] }],
  ];
  for (const [header, want] of cases) assert.deepEqual(bearerFromProtocols(splitProtocols(header)), want, header);
});

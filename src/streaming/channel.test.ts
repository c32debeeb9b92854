import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChannel, encodeChannel, parseResizeStream, portPrefix } from './channel.js';
import { exitStatus, internalErrorStatus, successStatus } from './status.js';

describe('channel protocol', () => {
  test('encodes [channel][payload]', () => {
    assert.deepEqual(encodeChannel(1), Buffer.from([1]));
    assert.deepEqual(encodeChannel(2, 'hi'), Buffer.from([2, 0x68, 0x69]));
  });

  const decodes: [string, number[], boolean, ReturnType<typeof decodeChannel>][] = [
    ['stdin data', [0, 0x6c, 0x31], true, { kind: 'data', channel: 0, payload: Buffer.from('l1') }],
    ['v5 close of stdin', [255, 0], true, { kind: 'close', channel: 0 }],
    ['255 under v4 is just a channel', [255, 0], false, { kind: 'data', channel: 255, payload: Buffer.from([0]) }],
    ['empty message', [], true, { kind: 'empty' }],
    ['resize', [4, 0x7b, 0x7d], true, { kind: 'data', channel: 4, payload: Buffer.from('{}') }],
  ];
  for (const [name, bytes, v5, want] of decodes)
    test(`decodes ${name}`, () => assert.deepEqual(decodeChannel(Buffer.from(bytes), v5), want));

  test('port-forward channels start with the port, little-endian', () => {
    assert.deepEqual(portPrefix(0, 80), Buffer.from([0, 0x50, 0]));
    assert.deepEqual(portPrefix(3, 8080), Buffer.from([3, 0x90, 0x1f]));
  });

  const resizes: [string, string, { sizes: { width: number; height: number }[]; rest: string }][] = [
    ["kubectl's Go encoder", '{"Width":100,"Height":30}\n', { sizes: [{ width: 100, height: 30 }], rest: '' }],
    ["the JS client's", '{"height":30,"width":100}', { sizes: [{ width: 100, height: 30 }], rest: '' }],
    [
      'two concatenated',
      '{"Width":1,"Height":2}\n{"Width":3,"Height":4}\n',
      {
        sizes: [
          { width: 1, height: 2 },
          { width: 3, height: 4 },
        ],
        rest: '',
      },
    ],
    ['split mid-object', '{"Width":1,"Height":2}{"Wid', { sizes: [{ width: 1, height: 2 }], rest: '{"Wid' }],
    ['missing height is skipped', '{"Width":1}', { sizes: [], rest: '' }],
    ['negative is skipped', '{"Width":-1,"Height":2}', { sizes: [], rest: '' }],
  ];
  for (const [name, text, want] of resizes)
    test(`resize: ${name}`, () => assert.deepEqual(parseResizeStream(text), want));

  test('statuses as the kubelet writes them', () => {
    assert.deepEqual(successStatus(), { metadata: {}, status: 'Success' });
    assert.deepEqual(exitStatus(3), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: exit status 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    assert.deepEqual(exitStatus(0), successStatus());
    assert.equal(internalErrorStatus('boom').message, 'Internal error occurred: boom');
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerProtocol, execPath, parseFrame, resizeFrame, statusMessage, stdinFrame } from './channel.js';

test('frames: channel byte then payload', () => {
  assert.deepEqual([...stdinFrame('ls\r')], [0, 0x6c, 0x73, 0x0d]);
  assert.equal(Buffer.from(resizeFrame(120, 40)).toString(), '\x04{"Width":120,"Height":40}');
  assert.deepEqual(parseFrame(new Uint8Array([1, 104, 105])), { channel: 1, payload: new Uint8Array([104, 105]) });
  assert.equal(parseFrame(new Uint8Array([])), undefined);
});

test('the token as a sub-protocol is unpadded base64url', () => {
  const p = bearerProtocol('ab?>~');
  assert.equal(p, `base64url.bearer.authorization.k8s.io.${Buffer.from('ab?>~').toString('base64url')}`);
  assert.doesNotMatch(p, /[=+/]/);
});

test('exec path: a tty shell in the container', () => {
  const p = new URL(execPath('kube-system', 'dns-1', 'dns', ['sh']), 'http://x');
  assert.equal(p.pathname, '/api/v1/namespaces/kube-system/pods/dns-1/exec');
  assert.deepEqual(p.searchParams.getAll('command'), ['sh']);
  assert.equal(p.searchParams.get('container'), 'dns');
  assert.equal(p.searchParams.get('tty'), 'true');
  assert.equal(p.searchParams.get('stdin'), 'true');
});

test('the Status at the end of a session', () => {
  const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
  assert.equal(statusMessage(enc({ status: 'Success' })), undefined);
  assert.equal(
    statusMessage(enc({ status: 'Failure', message: 'command terminated with non-zero exit code: 3' })),
    'command terminated with non-zero exit code: 3',
  );
  assert.equal(statusMessage(new TextEncoder().encode('plain text')), 'plain text');
});

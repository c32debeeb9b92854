/**
 * The official JavaScript client (@kubernetes/client-node 1.4.0; 2.x needs
 * Node 22) against podnet: its Exec, Attach, Log and PortForward helpers,
 * which speak v5/v4.channel.k8s.io over WebSocket and plain HTTP for logs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Attach, Exec, KubeConfig, Log, PortForward, type V1Status } from '@kubernetes/client-node';
import { installed, needs, root, built, cniPlugins, kubectl } from '../testing/requirements.js';
import { eventually, TestCluster } from './cluster.js';

const skip = needs(root, built, cniPlugins, kubectl, installed('/usr/bin/socat', 'socat'));

/** A writable that keeps what it is given. */
function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString()));
  return { stream, text: () => text };
}

describe('streaming: @kubernetes/client-node helpers', { skip, timeout: 300_000 }, () => {
  const c = new TestCluster(1, 'host-gw');
  const kc = new KubeConfig();

  before(() => {
    c.up();
    kc.loadFromFile(c.kubeconfig);
    c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: web, image: podnet/agnhost, args: [netexec, --http-port=8080]}
---
apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  containers:
  - {name: sh, image: podnet/agnhost, command: [/bin/sh], stdin: true, tty: true}
`);
    c.waitReady(['web', 'shell'], 90);
  });

  after(async () => {
    await c.destroy();
  });

  test('Exec: stdout, stderr and the exit status', async () => {
    const out = sink(),
      err = sink();
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc)
        .exec(
          'default',
          'web',
          'web',
          ['sh', '-c', 'echo hi; echo oops >&2; exit 3'],
          out.stream,
          err.stream,
          null,
          false,
          resolve,
        )
        .catch(reject);
    });
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    await eventually('output', () => out.text() === 'hi\n' && err.text() === 'oops\n', 10_000);
  });

  test('Exec: stdin, closed with the v5 CLOSE frame', async () => {
    const out = sink();
    const input = new PassThrough();
    const status = new Promise<V1Status>((resolve, reject) => {
      new Exec(kc)
        .exec('default', 'web', 'web', ['sh', '-c', 'cat; echo eof'], out.stream, null, input, false, resolve)
        .catch(reject);
    });
    input.end('from js\n');
    assert.equal((await status).status, 'Success');
    await eventually('echoed stdin', () => out.text() === 'from js\neof\n', 10_000);
  });

  test('Attach: a tty container', async () => {
    const out = sink();
    const input = new PassThrough();
    const ws = await new Attach(kc).attach('default', 'shell', 'sh', out.stream, null, input, true);
    try {
      input.write('echo js-attach-$((2+3))\n');
      await eventually('the container answers', () => out.text().includes('js-attach-5'), 20_000);
    } finally {
      ws.close();
    }
  });

  test('Log: tailLines and timestamps', async () => {
    const out = sink();
    await new Log(kc).log('default', 'web', 'web', out.stream, { tailLines: 1, timestamps: true });
    const text = await eventually('a log line', () => (out.text().endsWith('\n') ? out.text() : false), 10_000);
    assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .*Started HTTP server on port 8080\n$|^\d{4}-.*\n$/);
    assert.equal(text.split('\n').filter(Boolean).length, 1);
  });

  test('PortForward: an HTTP request over v4.channel.k8s.io', async () => {
    const out = sink();
    const input = new PassThrough();
    const ws = (await new PortForward(kc).portForward('default', 'web', [8080], out.stream, null, input)) as {
      close?: () => void;
    };
    try {
      input.write('GET /hostname HTTP/1.0\r\n\r\n');
      await eventually('the reply', () => /\r\n\r\nweb$/.test(out.text()), 20_000);
    } finally {
      ws.close?.();
    }
  });
});

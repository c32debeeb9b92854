import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { relayBoth } from './relay.js';

/** Two connected TCP socket pairs on loopback: client <-> [a  relay  b] <-> far. */
async function chain(queueBytes?: number) {
  const servers: Server[] = [];
  const pair = async (): Promise<[Socket, Socket]> => {
    const server = createServer({ allowHalfOpen: true });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const accepted = once(server, 'connection') as Promise<[Socket]>;
    const outer = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const [inner] = await accepted;
    await once(outer, 'connect');
    return [outer, inner];
  };
  const [client, a] = await pair();
  const [b, far] = await pair();
  relayBoth(a, b, queueBytes);
  const close = () => {
    for (const s of [client, a, b, far]) s.destroy();
    for (const s of servers) s.close();
  };
  return { client, a, b, far, close };
}

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function readAll(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (b: Buffer) => parts.push(b));
  return once(s, 'end').then(() => Buffer.concat(parts));
}

describe('relay', () => {
  test('carries bytes both ways intact and passes each half-close on', async () => {
    const c = await chain();
    try {
      const up = randomBytes(3 << 20);
      const down = randomBytes(1 << 20);
      const atFar = readAll(c.far);
      const atClient = readAll(c.client);
      c.client.end(up);
      assert.equal(digest(await atFar), digest(up));
      // The other direction still works after the client's half-close.
      c.far.end(down);
      assert.equal(digest(await atClient), digest(down));
    } finally {
      c.close();
    }
  });

  test('a side that does not read stops the relay reading the other', async () => {
    const queue = 256 << 10;
    const c = await chain(queue);
    try {
      c.far.pause();
      const chunk = Buffer.alloc(64 << 10);
      let written = 0;
      // Write until the relay holds its source: the queue towards far is past the limit.
      while (!c.a.isPaused()) {
        c.client.write(chunk);
        written += chunk.length;
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(c.b.writableLength >= queue);
      // Reading again lets everything through.
      const total = { n: 0 };
      c.far.on('data', (b: Buffer) => (total.n += b.length));
      c.far.resume();
      c.client.end();
      await once(c.far, 'end');
      assert.equal(total.n, written);
    } finally {
      c.close();
    }
  });
});

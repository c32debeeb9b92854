/**
 * Both UDP sides (the native batch socket and dgram) with real sockets:
 * many clients in flight, each getting its own reply; questions answered
 * directly and through the full path; IPv6 listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { DnsState } from '../state.js';
import { Forwarder } from '../forward/forwarder.js';
import { DnsHandler } from './handler.js';
import { DnsMetrics } from './metrics.js';
import { startListeners } from './listeners.js';
import { loadNative } from '../../native/native.js';
import { addressText } from './udp-batched.js';
import { slimService } from '../zone/slim.js';
import { query } from '../testing/clients.js';
import { parseMessage, serializeMessage } from '../wire/message.js';
import { emptyMessage, RRType, Rcode } from '../wire/types.js';

function handler(): DnsHandler {
  const state = new DnsState({ domain: 'cluster.local', ttl: 5, podRecords: 'disabled' });
  for (let i = 0; i < 50; i++)
    state.setService(
      slimService({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}`, namespace: 'ns' },
        spec: { clusterIP: `10.96.1.${i}` },
      }),
    );
  return new DnsHandler({
    state,
    forwarder: new Forwarder({ upstreams: [] }),
    metrics: new DnsMetrics(),
    synced: () => true,
  });
}

/** `perClient` queries from each of `clients` sockets, `window` in flight per socket; resolves with every reply by (client, id). */
async function burst(
  host: string,
  port: number,
  clients: number,
  perClient: number,
  window = 8,
): Promise<Map<string, Buffer>> {
  const replies = new Map<string, Buffer>();
  const socks = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<dgram.Socket>((r) => {
          const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
          s.bind(0, host, () => r(s));
        }),
    ),
  );
  const question = (c: number, id: number) => {
    const m = emptyMessage(id);
    // Even ids: a Service (direct answer); odd: a missing one (NXDOMAIN, the full path).
    m.questions.push({
      name: id % 2 ? `nope-${id}.ns.svc.cluster.local` : `svc-${(c + id) % 50}.ns.svc.cluster.local`,
      type: RRType.A,
      class: 1,
    });
    return serializeMessage(m);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let left = clients * perClient;
      const timer = setTimeout(() => reject(new Error(`${left} replies missing`)), 10_000);
      socks.forEach((s, c) => {
        let next = 0;
        const send = () => {
          if (next < perClient) s.send(question(c, next++), port, host);
        };
        s.on('message', (msg) => {
          replies.set(`${c}/${msg.readUInt16BE(0)}`, msg);
          send();
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
        for (let k = 0; k < window; k++) send();
      });
    });
  } finally {
    for (const s of socks) s.close();
  }
  return replies;
}

for (const udp of ['batched', 'dgram'] as const) {
  test(
    `UDP (${udp}): 20 clients with 8 queries each in flight get their own answers`,
    { skip: udp === 'batched' && !loadNative() ? 'native module not built' : false },
    async () => {
      const l = await startListeners(handler(), { host: '127.0.0.1', port: 0, udp });
      try {
        const replies = await burst('127.0.0.1', l.port, 20, 40);
        assert.equal(replies.size, 800);
        for (const [key, msg] of replies) {
          const [c, id] = key.split('/').map(Number) as [number, number];
          const r = parseMessage(msg);
          if (id % 2) assert.equal(r.rcode, Rcode.NXDOMAIN, key);
          else
            assert.deepEqual(
              r.answers.map((a) => a.data),
              [`10.96.1.${(c + id) % 50}`],
              key,
            );
        }
        // TCP beside it on the same port.
        assert.equal(
          (await query(l.port, 'svc-7.ns.svc.cluster.local', RRType.A, { tcp: true })).answers[0]!.data,
          '10.96.1.7',
        );
      } finally {
        await l.close();
      }
    },
  );
}

test('UDP (batched) on IPv6 loopback', { skip: !loadNative() ? 'native module not built' : false }, async () => {
  const l = await startListeners(handler(), { host: '::1', port: 0, udp: 'batched' });
  try {
    const replies = await burst('::1', l.port, 2, 10);
    assert.equal(replies.size, 20);
  } finally {
    await l.close();
  }
});

test('client addresses as dgram spells them', () => {
  const addr = (family: number, bytes: number[]) =>
    Uint8Array.from([family, 0, 0, 53, ...bytes, ...Array(16 - bytes.length).fill(0)]);
  const rows: [Uint8Array, string][] = [
    [addr(4, [10, 244, 1, 5]), '10.244.1.5'],
    [addr(6, [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 'fd00::1'],
    [addr(6, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), '::1'],
    [addr(6, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]), '2001:db8:1::1:0:1'],
    [addr(6, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]), '2001:db8:0:1:1:1:1:1'],
  ];
  for (const [bytes, want] of rows) assert.equal(addressText(bytes), want);
});

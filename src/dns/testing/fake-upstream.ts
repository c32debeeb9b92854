/**
 * A tiny authoritative DNS server for tests, on loopback: answers from a
 * fixed table, NXDOMAIN with an SOA otherwise, sets TC over UDP for
 * answers bigger than 512 bytes (so clients must retry over TCP), counts
 * queries, and can go silent (to test timeouts).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { lowerName } from '../wire/name.js';
import { parseMessage, serializeMessage } from '../wire/message.js';
import { RRType, Rcode, type Message, type ResourceRecord } from '../wire/types.js';

export interface FakeUpstream {
  port: number;
  host: string;
  udpQueries: number;
  tcpQueries: number;
  /** EDNS seen on the last query (the forwarder must pass it through). */
  lastHadEdns: boolean;
  silent: boolean;
  close(): Promise<void>;
}

export async function startFakeUpstream(host: string, records: ResourceRecord[]): Promise<FakeUpstream> {
  // UDP picks a free port and TCP takes the same number; retry when that TCP port is busy.
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce(host, records);
    } catch (e) {
      if (attempt >= 5 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
}

async function startOnce(host: string, records: ResourceRecord[]): Promise<FakeUpstream> {
  const byName = new Map<string, ResourceRecord[]>();
  for (const r of records) byName.set(lowerName(r.name), [...(byName.get(lowerName(r.name)) ?? []), r]);
  const state: FakeUpstream = {
    port: 0,
    host,
    udpQueries: 0,
    tcpQueries: 0,
    lastHadEdns: false,
    silent: false,
    close: async () => {},
  };
  const answer = (req: Message, udp: boolean): Buffer => {
    const q = req.questions[0]!;
    state.lastHadEdns = req.additionals.some((r) => r.type === RRType.OPT);
    const at = byName.get(lowerName(q.name));
    const res: Message = { ...req, qr: true, aa: true, ra: true, answers: [], authorities: [], additionals: [] };
    if (!at) {
      res.rcode = Rcode.NXDOMAIN;
      res.authorities.push({
        name: 'test',
        type: RRType.SOA,
        class: 1,
        ttl: 60,
        data: { mname: 'ns.test', rname: 'h.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 30 },
      });
    } else res.answers = at.filter((r) => r.type === q.type).map((r) => ({ ...r, name: q.name }));
    return serializeMessage(res, { maxSize: udp ? 512 : 65535 });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (b, r) => {
    state.udpQueries++;
    if (state.silent) return;
    try {
      udp.send(answer(parseMessage(b), true), r.port, r.address);
    } catch {
      /* ignore garbage */
    }
  });
  await new Promise<void>((res) => udp.bind(0, host, () => res()));
  state.port = udp.address().port;
  const tcp = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => {});
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const req = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + req.length);
        state.tcpQueries++;
        if (state.silent) continue;
        const out = answer(parseMessage(req), false);
        const l = Buffer.alloc(2);
        l.writeUInt16BE(out.length);
        s.write(Buffer.concat([l, out]));
      }
    });
  });
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(state.port, host, () => res());
  }).catch(async (e) => {
    await new Promise<void>((r) => udp.close(() => r()));
    throw e;
  });
  const sockets = new Set<net.Socket>();
  tcp.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
  };
  return state;
}

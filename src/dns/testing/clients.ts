/** Test clients: real dig, and a one-shot query with our own codec (UDP or TCP, from a chosen source address). */
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { optRecord } from '../wire/edns.js';
import { parseMessage, serializeMessage } from '../wire/message.js';
import { emptyMessage, type Message } from '../wire/types.js';

interface DigResult {
  status: string;
  flags: string[];
  answers: string[];
  authority: string[];
  raw: string;
}

/** Runs dig against 127.0.0.1:port; answers come back as "name TYPE data" (TTL and class dropped). */
export function dig(
  port: number,
  name: string,
  type: string,
  opts: { source?: string; tcp?: boolean; extra?: string[] } = {},
): Promise<DigResult> {
  const args = ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=3', '+nocookie', name, type];
  if (opts.source) args.push('-b', opts.source);
  if (opts.tcp) args.push('+tcp');
  args.push(...(opts.extra ?? []));
  return new Promise((resolve, reject) => {
    execFile('dig', args, { timeout: 15_000 }, (err, stdout) => {
      if (err && !stdout) {
        reject(new Error(`dig ${args.join(' ')} failed: ${err.message}`));
        return;
      }
      const status = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? 'NONE';
      const flags = /flags: ([a-z ]+);/.exec(stdout)?.[1]?.trim().split(/\s+/) ?? [];
      const section = (title: string) => {
        const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(stdout);
        return m
          ? m[1]!
              .split('\n')
              .filter((l) => l && !l.startsWith(';'))
              .map(normalize)
          : [];
      };
      resolve({ status, flags, answers: section('ANSWER'), authority: section('AUTHORITY'), raw: stdout });
    });
  });
}

/** "web.default.svc.cluster.local. 5 IN A 10.96.0.12" -> "web.default.svc.cluster.local. A 10.96.0.12" */
function normalize(line: string): string {
  const f = line.split(/\s+/);
  return [f[0], ...f.slice(3)].join(' ');
}

interface QueryOptions {
  source?: string;
  tcp?: boolean;
  edns?: boolean;
  id?: number;
  timeoutMs?: number;
}

/** One query with our codec; resolves with the parsed reply. */
export function query(port: number, name: string, type: number, o: QueryOptions = {}): Promise<Message> {
  const m = emptyMessage(o.id ?? 4242);
  m.rd = true;
  m.questions.push({ name, type, class: 1 });
  if (o.edns) m.additionals.push(optRecord(1232));
  return exchange(port, serializeMessage(m), o).then((b) => parseMessage(b));
}

/** Sends raw bytes; resolves with the raw reply (rejects on timeout). */
export function exchange(port: number, bytes: Buffer, o: QueryOptions = {}): Promise<Buffer> {
  const timeoutMs = o.timeoutMs ?? 5000;
  if (o.tcp) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port, localAddress: o.source });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('TCP query timed out'));
      }, timeoutMs);
      sock.on('connect', () => {
        const l = Buffer.alloc(2);
        l.writeUInt16BE(bytes.length);
        sock.write(Buffer.concat([l, bytes]));
      });
      sock.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(timer);
          sock.destroy();
          resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        }
      });
      sock.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error('UDP query timed out'));
    }, timeoutMs);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg);
    });
    sock.bind(0, o.source ?? '127.0.0.1', () => sock.send(bytes, port, '127.0.0.1'));
  });
}

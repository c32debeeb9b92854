/**
 * A minimal DNS client for the bench (podnet's own codec): ask once and
 * wait for the reply, or poll — a fresh question every 1 ms whether or
 * not earlier ones were answered, so a slow negative answer (a name
 * forwarded to a dead upstream) never holds the clock.
 */
import dgram from 'node:dgram';
import { parseMessage, serializeMessage } from '../../dns/wire/message.js';
import { RRType } from '../../dns/wire/types.js';

interface ProbeReply {
  rcode: number;
  addresses: string[];
}
type Listener = (id: number, reply: ProbeReply) => void;

export class DnsProbe {
  private readonly sock = dgram.createSocket('udp4');
  private nextId = 1;
  private listener: Listener | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.sock.on('message', (buf) => {
      let m;
      try {
        m = parseMessage(buf);
      } catch {
        return;
      }
      this.listener?.(m.id, {
        rcode: m.rcode,
        addresses: m.answers.filter((r) => r.type === RRType.A).map((r) => r.data as string),
      });
    });
  }

  private send(name: string): number {
    const id = (this.nextId = (this.nextId % 0xffff) + 1);
    const q = serializeMessage({
      id,
      qr: false,
      opcode: 0,
      aa: false,
      tc: false,
      rd: true,
      ra: false,
      ad: false,
      cd: false,
      rcode: 0,
      questions: [{ name, type: RRType.A, class: 1 }],
      answers: [],
      authorities: [],
      additionals: [],
    });
    this.sock.send(q, this.port, this.host);
    return id;
  }

  /** Asks for `name` A once; undefined when no reply came within `timeoutMs`. */
  query(name: string, timeoutMs: number): Promise<ProbeReply | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.listener = undefined;
        resolve(undefined);
      }, timeoutMs);
      const id = this.send(name);
      this.listener = (got, reply) => {
        if (got !== id) return; // a late reply to an earlier question
        clearTimeout(timer);
        this.listener = undefined;
        resolve(reply);
      };
    });
  }

  /**
   * Sends `name` A every `everyMs` until a NOERROR reply satisfies `ok`; resolves with
   * performance.now() at that reply, or undefined after `giveUpMs`.
   */
  poll(
    name: string,
    ok: (addresses: string[]) => boolean,
    everyMs: number,
    giveUpMs: number,
  ): Promise<number | undefined> {
    return new Promise((resolve) => {
      const ids = new Set<number>();
      const finish = (at: number | undefined) => {
        clearInterval(ticker);
        clearTimeout(limit);
        this.listener = undefined;
        resolve(at);
      };
      this.listener = (id, reply) => {
        if (ids.has(id) && reply.rcode === 0 && ok(reply.addresses)) finish(performance.now());
      };
      const ticker = setInterval(() => ids.add(this.send(name)), everyMs);
      const limit = setTimeout(() => finish(undefined), giveUpMs);
      ids.add(this.send(name));
    });
  }

  close(): void {
    this.listener = undefined;
    this.sock.close();
  }
}

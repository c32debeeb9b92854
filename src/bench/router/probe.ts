/**
 * Traffic through a proxy while a change is made: one keep-alive
 * connection, each request sent as soon as the last answer arrived, with
 * the Host header of the route under change. Runs in the driver, on the
 * client core, so its own CPU does not compete with the router's. The
 * fresh backend records when the first request reaches it; the probe
 * counts what every request got, so a change that fails requests shows.
 */
import { Agent, request } from 'node:http';

export interface ProbeCounts {
  requests: number;
  ok: number;
  /** 404 from the router: the route is not there (yet). */
  notFound: number;
  /** Any other status. */
  otherStatus: number;
  /** Connection errors (reset, refused). */
  errors: number;
}

const zero = (): ProbeCounts => ({ requests: 0, ok: 0, notFound: 0, otherStatus: 0, errors: 0 });

export class Probe {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private running = false;
  private host = '';
  private counts = zero();
  private stopped: Promise<void> = Promise.resolve();
  private lastError = '';

  constructor(
    private readonly ip: string,
    private readonly port: number,
  ) {}

  /** Starts sending with Host `host`, or moves the running loop to it. */
  target(host: string): void {
    this.host = host;
    if (this.running) return;
    this.running = true;
    this.stopped = new Promise<void>((done) => this.next(done));
  }

  /** The counts since the last take. */
  take(): ProbeCounts & { lastError: string } {
    const c = { ...this.counts, lastError: this.lastError };
    this.counts = zero();
    this.lastError = '';
    return c;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.stopped;
    this.agent.destroy();
  }

  private next(done: () => void): void {
    if (!this.running) return done();
    const c = this.counts;
    c.requests++;
    let finished = false;
    const after = (wait: boolean) => {
      if (finished) return;
      finished = true;
      if (wait) setTimeout(() => this.next(done), 1);
      else setImmediate(() => this.next(done));
    };
    const req = request(
      { host: this.ip, port: this.port, path: '/', headers: { host: this.host }, agent: this.agent },
      (res) => {
        const s = res.statusCode ?? 0;
        if (s === 200) c.ok++;
        else if (s === 404) c.notFound++;
        else c.otherStatus++;
        res.resume();
        res.once('end', () => after(false));
        res.once('error', () => after(false));
      },
    );
    req.once('error', (e: NodeJS.ErrnoException) => {
      c.errors++;
      this.lastError = e.code ?? e.message;
      // Refused: nothing listens (yet); do not spin.
      after(e.code === 'ECONNREFUSED');
    });
    req.end();
  }
}

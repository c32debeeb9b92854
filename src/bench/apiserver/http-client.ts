/**
 * The load generator's HTTPS client: keep-alive sockets, the server's CA,
 * a bearer token, and timings taken around each request.
 */
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Response {
  status: number;
  body: Buffer;
  /** Milliseconds from sending the request to its response headers. */
  ttfbMs: number;
  /** Milliseconds from sending the request to the last byte of its body. */
  totalMs: number;
}

interface RequestSpec {
  method: string;
  path: string;
  /** JSON-encoded here; pass a Buffer to send bytes encoded ahead of time. */
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export class BenchClient {
  readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  /** maxSockets bounds the connections this client opens (one per request in flight). */
  constructor(
    url: string,
    private readonly token: string,
    readonly ca: string,
    maxSockets: number,
  ) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, ca, keepAliveMsecs: 10_000 });
  }

  /** Options for a raw request (watch streams use these with their own agent). */
  options(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    agent: Agent = this.agent,
  ): RequestOptions {
    return {
      host: this.host,
      port: this.port,
      method,
      path,
      agent,
      ca: this.ca,
      headers: { authorization: `Bearer ${this.token}`, ...headers },
    };
  }

  /** One request; resolves with the whole body whatever the status. */
  send(spec: RequestSpec): Promise<Response> {
    const payload =
      spec.body === undefined
        ? undefined
        : Buffer.isBuffer(spec.body)
          ? spec.body
          : Buffer.from(JSON.stringify(spec.body));
    const headers: Record<string, string> = { accept: spec.accept ?? 'application/json' };
    if (payload) {
      headers['content-type'] = spec.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise<Response>((resolve, reject) => {
      const start = performance.now();
      const req = request(this.options(spec.method, spec.path, headers), (res: IncomingMessage) => {
        const ttfbMs = performance.now() - start;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ttfbMs,
            totalMs: performance.now() - start,
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like send, but a status other than `want` is an error naming the request and the server's message. */
  async expect(spec: RequestSpec, want: number): Promise<Response> {
    const res = await this.send(spec);
    if (res.status !== want) {
      throw new Error(
        `${spec.method} ${spec.path}: HTTP ${res.status} (wanted ${want}): ${res.body.toString('utf8').slice(0, 300)}`,
      );
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}

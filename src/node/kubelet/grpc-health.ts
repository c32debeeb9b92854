/**
 * One call of the standard gRPC health check (grpc.health.v1.Health/Check)
 * over cleartext HTTP/2, as the kubelet's gRPC probe makes it. The two
 * messages are tiny, so they are encoded by hand:
 *   HealthCheckRequest  { string service = 1; }
 *   HealthCheckResponse { ServingStatus status = 1; }  // 1 = SERVING
 */
import http2 from 'node:http2';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
/** gRPC status code for a method the server does not have. */
const GRPC_UNIMPLEMENTED = 12;

type GrpcHealthResult = { ok: true } | { ok: false; message: string };

function encodeRequest(service: string): Buffer {
  const name = Buffer.from(service, 'utf8');
  // Field 1, wire type 2 (length-delimited); names are short, but encode the varint properly.
  const len: number[] = [];
  let n = name.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  const msg = name.length ? Buffer.concat([Buffer.from([0x0a, ...len]), name]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt8(0, 0); // not compressed
  frame.writeUInt32BE(msg.length, 1);
  return Buffer.concat([frame, msg]);
}

/** Reads field 1 (varint) of the first length-prefixed message; absent means UNKNOWN (0). */
function decodeStatus(body: Buffer): number | undefined {
  if (body.length < 5) return undefined;
  const msg = body.subarray(5, 5 + body.readUInt32BE(1));
  let i = 0;
  while (i < msg.length) {
    const tag = msg[i++]!;
    if (tag === 0x08) {
      let v = 0,
        shift = 0,
        b: number;
      do {
        b = msg[i++]!;
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80 && i < msg.length);
      return v;
    }
    // Skip unknown fields we might meet (varint or length-delimited).
    const wire = tag & 7;
    if (wire === 0) {
      while (msg[i++]! & 0x80 && i < msg.length);
    } else if (wire === 2) {
      const l = msg[i++]!;
      i += l;
    } else return undefined;
  }
  return 0;
}

export function grpcHealthCheck(
  host: string,
  port: number,
  service: string,
  timeoutMs: number,
  userAgent: string,
): Promise<GrpcHealthResult> {
  const authority = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: GrpcHealthResult) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        session.destroy();
        resolve(r);
      }
    };
    const session = http2.connect(authority);
    const timer = setTimeout(
      () => done({ ok: false, message: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` }),
      timeoutMs,
    );
    let connected = false;
    session.once('connect', () => {
      connected = true;
    });
    const connectFailed = (e: Error) =>
      done({
        ok: false,
        message: `timeout: failed to connect service "${host}:${port}" within ${timeoutMs / 1000}s: ${e.message}`,
      });
    session.on('error', connectFailed);
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': userAgent,
    });
    const chunks: Buffer[] = [];
    let headerStatus: string | undefined;
    req.on('response', (h) => {
      headerStatus = h['grpc-status'] as string | undefined;
    });
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('trailers', (t: http2.IncomingHttpHeaders) => {
      headerStatus = (t['grpc-status'] as string | undefined) ?? headerStatus;
    });
    req.on('error', (e: Error) =>
      connected ? done({ ok: false, message: `error: health rpc failed: ${e.message}` }) : connectFailed(e),
    );
    req.on('end', () => {
      const code = Number(headerStatus ?? '0');
      if (code === GRPC_UNIMPLEMENTED)
        return done({
          ok: false,
          message: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health)',
        });
      if (code !== 0) return done({ ok: false, message: `error: health rpc failed with grpc status ${code}` });
      const status = decodeStatus(Buffer.concat(chunks));
      if (status === 1) return done({ ok: true });
      done({ ok: false, message: `service unhealthy (responded with "${STATUS_NAMES[status ?? 0] ?? status}")` });
    });
    req.end(encodeRequest(service));
  });
}

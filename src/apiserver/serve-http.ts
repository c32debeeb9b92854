/** Puts the socket-free handler on a node http(s) server: body limits, chunked watch streams, client disconnects. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { errors } from '../api/errors.js';
import { logger } from '../log/log.js';
import { clientCertificateUser } from './authenticator.js';
import { MAX_BODY_BYTES } from './http/body.js';
import { errorReply, isChunked, isStreaming, type ApiRequest, type ChunkedReply, type Reply } from './http/reply.js';

export function nodeHandler(app: (req: ApiRequest) => Promise<Reply>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      send(res, errorReply(errors.tooLarge()));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        if (!tooLarge) send(res, errorReply(errors.tooLarge()));
        tooLarge = true;
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return;
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const raw = Buffer.concat(chunks);
      const clientCertUser = clientCertificateUser(req.socket);
      app({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers,
        body: raw.toString('utf8'),
        rawBody: raw,
        ...(clientCertUser ? { clientCertUser } : {}),
      })
        .then((reply) => send(res, reply, req))
        .catch((e) => send(res, errorReply(e)));
    });
  };
}

/**
 * Makes an HTTPS server parse each connection from the TLS socket's stream
 * instead of letting the HTTP parser consume the native TLS handle, and
 * returns the server. Call it right after `https.createServer`, before listening.
 *
 * Why: Node 20 pauses the parser when a request arrives while the previous
 * response is still draining (more than 16 KiB unflushed). Pausing a consumed
 * handle only calls readStop, but the TLS layer still hands over every record
 * it has already decrypted (16 KiB each), so the rest of a large request body
 * reaches the paused parser, which fails with HPE_PAUSED and the connection is
 * dropped without a response. Reading through the stream instead buffers those
 * bytes until the parser resumes. A `data` listener is Node's own signal to
 * stop consuming the handle; it must run after Node's connection listener,
 * which the https.Server constructor registers first.
 */
export function readTlsThroughStream<S extends Server>(server: S): S {
  server.on('secureConnection', (socket: TLSSocket) => {
    socket.on('data', ignoreChunk);
  });
  return server;
}

/** The HTTP parser reads the chunks through its own listener; this one only switches the socket to stream reading. */
function ignoreChunk(): void {}

function send(res: ServerResponse, reply: Reply, req?: IncomingMessage): void {
  if (res.headersSent) return;
  if (isChunked(reply)) {
    void sendChunks(res, reply, req?.method === 'HEAD');
    return;
  }
  if (!isStreaming(reply)) {
    // Encode once: measuring a large string and then writing it would encode it twice.
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body) : reply.body;
    res.writeHead(reply.status, { ...reply.headers, 'Content-Length': body.byteLength });
    res.end(req?.method === 'HEAD' ? undefined : body);
    return;
  }
  const { 'Transfer-Encoding': _te, ...headers } = reply.headers;
  res.writeHead(reply.status, headers);
  res.flushHeaders();
  const stop = reply.start(
    (chunk) => {
      res.write(chunk);
    },
    () => res.end(),
  );
  res.on('close', stop);
}

/**
 * Writes each chunk once the socket has taken the previous ones (so a slow
 * client holds the producer back instead of filling memory), and destroys
 * the response when producing fails: the status line is gone, and ending
 * the body normally would pass a cut answer off as whole. kube-apiserver
 * ends a failing response the same way.
 */
async function sendChunks(res: ServerResponse, reply: ChunkedReply, head: boolean): Promise<void> {
  const chunks = reply.chunks[Symbol.asyncIterator]();
  let gone = false;
  const closed = new Promise<void>((resolve) =>
    res.once('close', () => {
      gone = true;
      resolve();
    }),
  );
  res.writeHead(reply.status, reply.headers);
  try {
    for (;;) {
      if (head || gone) break;
      const next = await chunks.next();
      if (next.done) break;
      if (gone) break;
      if (!res.write(next.value)) await Promise.race([once(res, 'drain'), closed]);
    }
    if (!gone) res.end();
  } catch (e) {
    logger('apiserver').warn(`cut a ${reply.status} answer short: ${e instanceof Error ? e.message : String(e)}`);
    res.destroy();
  } finally {
    await chunks.return?.();
  }
}

function once(res: ServerResponse, event: string): Promise<void> {
  return new Promise((resolve) => res.once(event, () => resolve()));
}

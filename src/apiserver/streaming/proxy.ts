/**
 * The API server's side of streaming: it authenticates the caller, finds the
 * pod's node (locate.ts) and proxies to that node agent over TLS with its
 * kubelet-client certificate, verifying the node's certificate against the
 * cluster CA. Logs are an ordinary response relayed as it streams; exec,
 * attach and port-forward are upgrades: the request is replayed to the node
 * and, after the node's answer (101 or a refusal, passed back verbatim as
 * kube's UpgradeAwareProxy does), bytes are copied both ways. The protocol
 * inside (WebSocket channels, SPDY, the SPDY-in-WebSocket tunnel) runs end to
 * end between the client and the node; the API server copies bytes
 * (../../streaming/relay.ts), batching TLS records into few writes.
 */
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ApiError, errors } from '../../api/errors.js';
import { clientCertificateUser } from '../authenticator.js';
import { errorReply, type Reply } from '../http/reply.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceRequest } from '../request-info.js';
import type { UserInfo } from '../state/tokens.js';
import { relayBoth } from '../../streaming/relay.js';
import { locate, STREAMING_SUBRESOURCES, type NodeLocation, type StreamingSubresource } from './locate.js';

interface NodeTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Headers an upgrade carries to the node; everything else (the caller's credentials first) stays here. */
const UPGRADE_HEADERS = new Set([
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'x-stream-protocol-version',
  'user-agent',
  'content-length',
]);
/** A node that does not answer the upgrade in this time is reported unreachable. */
const NODE_TIMEOUT_MS = 15_000;

const isStreamingSubresource = (s: string | undefined): s is StreamingSubresource =>
  (STREAMING_SUBRESOURCES as readonly string[]).includes(s ?? '');

/** Nodes may not reach into pods through the API (kube's Node authorizer forbids it too). */
function authorize(user: UserInfo | undefined, req: ResourceRequest): void {
  if (!user?.groups.includes('system:nodes')) return;
  const verb = req.subresource === 'log' ? 'get' : 'create';
  throw errors.forbidden(
    `pods "${req.name}" is forbidden: User "${user.name}" cannot ${verb} resource "pods/${req.subresource}" in API group "" in the namespace "${req.namespace}"`,
  );
}

export class StreamingProxy {
  constructor(
    private readonly registry: Registry,
    private readonly tls: NodeTls,
    /** Authorization of an upgrade (the API server's authorizer chain); throws the 403. */
    private readonly authorizeUpgrade?: (user: UserInfo, req: ResourceRequest) => void,
  ) {}

  /** The non-upgrade side (pods/log, and exec/attach/portforward asked for without an upgrade). */
  async connect(req: ResourceRequest, query: URLSearchParams, user: UserInfo | undefined): Promise<Reply> {
    if (req.ri.resource !== 'pods' || !isStreamingSubresource(req.subresource) || !req.namespace || !req.name)
      throw errors.resourceNotFound();
    authorize(user, req);
    if (req.subresource !== 'log') throw errors.badRequest('Upgrade request required');
    const at = await locate(this.registry, 'log', req.namespace, req.name, query);
    if (!at) return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: '' };
    const res = await this.get(at);
    if (res.statusCode !== 200) {
      const text = (await readBody(res)).trim();
      throw nodeError(res.statusCode ?? 500, text, at);
    }
    return {
      status: 200,
      headers: { 'Content-Type': 'text/plain' },
      start(write, end) {
        res.on('data', (b: Buffer) => write(b));
        res.on('end', end);
        res.on('error', end);
        return () => res.destroy();
      },
    };
  }

  private get(at: NodeLocation): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const r = httpsRequest(
        {
          host: at.host,
          port: at.port,
          path: at.path,
          method: 'GET',
          ca: this.tls.caPem,
          cert: this.tls.certPem,
          key: this.tls.keyPem,
          agent: false,
          timeout: NODE_TIMEOUT_MS,
        },
        (res) => {
          r.setTimeout(0);
          resolve(res);
        },
      );
      r.on('timeout', () => r.destroy(new Error('timed out')));
      r.on('error', (e) => reject(unreachable(at, e)));
      r.end();
    });
  }

  /**
   * An upgrade request (exec, attach, portforward): answered here with a
   * Status when it cannot go on, otherwise spliced to the node.
   */
  async upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    authenticate: (token: string) => Promise<UserInfo | undefined>,
    parse: (method: string, url: URL) => ResourceRequest | undefined,
  ): Promise<void> {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'https://apiserver');
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const user = clientCertificateUser(req.socket) ?? (m ? await authenticate(m[1]!) : undefined);
      if (!user) throw errors.unauthorized();
      const info = parse(req.method ?? 'GET', url);
      if (
        !info ||
        info.ri.resource !== 'pods' ||
        !isStreamingSubresource(info.subresource) ||
        info.subresource === 'log'
      )
        throw errors.badRequest(`${url.pathname} cannot be upgraded`);
      authorize(user, info);
      this.authorizeUpgrade?.(user, info);
      const at = await locate(this.registry, info.subresource, info.namespace!, info.name!, url.searchParams);
      if (!at) throw errors.badRequest(`pod ${info.name} does not have a host assigned`);
      await this.splice(req, socket, head, at);
    } catch (e) {
      const reply = errorReply(e instanceof ApiError ? e : errors.internal((e as Error).message));
      const body = typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body).toString();
      socket.end(
        `HTTP/1.1 ${reply.status} ${statusText(reply.status)}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  }

  private splice(req: IncomingMessage, client: Duplex, head: Buffer, at: NodeLocation): Promise<void> {
    return new Promise((resolve, reject) => {
      const node: TLSSocket = tlsConnect({
        host: at.host,
        port: at.port,
        ca: this.tls.caPem,
        cert: this.tls.certPem,
        key: this.tls.keyPem,
      });
      node.setTimeout(NODE_TIMEOUT_MS);
      node.once('timeout', () => node.destroy(new Error('timed out')));
      node.once('error', (e: Error) => reject(unreachable(at, e)));
      node.once('secureConnect', () => {
        node.setTimeout(0);
        node.removeAllListeners('error');
        const lines = [`${req.method ?? 'GET'} ${at.path} HTTP/1.1`, `Host: ${at.host}:${at.port}`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          const name = req.rawHeaders[i]!;
          if (UPGRADE_HEADERS.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
        }
        node.write(`${lines.join('\r\n')}\r\n\r\n`);
        if (head.length) node.write(head);
        // Keep-alive finds a peer that vanished without a FIN (kubectl's pings keep a live one busy).
        const sock = client as Duplex & {
          setKeepAlive?(on: boolean, ms: number): void;
          setNoDelay?(on: boolean): void;
        };
        sock.setKeepAlive?.(true, 30_000);
        sock.setNoDelay?.(true);
        node.setKeepAlive(true, 30_000);
        node.setNoDelay(true);
        relayBoth(node, client);
        const close = () => {
          node.destroy();
          client.destroy();
        };
        node.on('error', close);
        node.on('close', close);
        client.on('close', close);
        client.on('error', close);
        resolve();
      });
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    res.on('data', (b: Buffer) => chunks.push(b));
    res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    res.on('error', () => resolve(Buffer.concat(chunks).toString()));
  });
}

/** A node's refusal as the Status kube's apiserver makes of it (a kubelet 400 becomes BadRequest with its text). */
function nodeError(code: number, text: string, at: NodeLocation): ApiError {
  if (code === 400) return errors.badRequest(text);
  if (code === 404) return new ApiError(404, 'NotFound', text);
  if (code === 403 || code === 401) return errors.internal(`node ${at.node} refused the API server: ${text}`);
  return errors.internal(text || `node ${at.node} answered ${code}`);
}

function unreachable(at: NodeLocation, e: Error): ApiError {
  return errors.internal(
    `error dialing backend: node ${at.node} streaming endpoint ${at.host}:${at.port}: ${e.message}`,
  );
}

function statusText(code: number): string {
  return (
    { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Entity' }[
      code
    ] ?? 'Internal Server Error'
  );
}

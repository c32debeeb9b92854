/**
 * A browser terminal relayed to the API server's pods/exec (or attach)
 * WebSocket. The browser speaks the channel protocol itself
 * (v5.channel.k8s.io, or v4); the console only moves messages, after
 * opening the upstream leg with the user's token, so the API server decides
 * what the token may do and its refusal (401, 404, a bad container) is what
 * the browser gets. Either side closing closes the other, and a browser
 * that vanished without closing is found by ping and ends the exec.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { refuseUpgrade } from './refuse.js';
import { bearerFromProtocols, splitProtocols } from './token.js';
import { failOver, tlsOptions, upstreamUrl, USER_AGENT, type Upstream } from './upstream.js';

const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
/** Messages queued towards one side beyond this pause the other side. */
const HIGH_WATER = 1 << 20;
const PING_MS = 20_000;

interface TerminalRelay {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every open terminal. */
  close(): void;
}

export function terminalRelay(up: Upstream, log: (m: string) => void): TerminalRelay {
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (_offers, req) => chosen.get(req) ?? false,
  });
  const open = new Set<WebSocket>();

  function handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const { token, protocols } = bearerFromProtocols(splitProtocols(req.headers['sec-websocket-protocol']));
    if (!token)
      return refuseUpgrade(
        socket,
        401,
        'no token: log in to the console (the terminal sends it as a WebSocket sub-protocol)',
      );
    const channel = protocols.filter((p) => CHANNEL_PROTOCOLS.includes(p));
    if (!channel.length)
      return refuseUpgrade(socket, 400, `offer one of the sub-protocols ${CHANNEL_PROTOCOLS.join(', ')}`);

    const server = up.url;
    const target = upstreamUrl(up, req.url ?? '/', 'ws');
    const upstream = new WebSocket(target, channel, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': USER_AGENT },
      perMessageDeflate: false,
      ...tlsOptions(up),
    });
    let upgraded = false;
    upstream.on('unexpected-response', (_r, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        refuseUpgrade(socket, res.statusCode ?? 502, Buffer.concat(chunks).toString(), true);
        upstream.terminate();
      });
    });
    upstream.on('error', (e) => {
      // The terminal's next attempt goes to the next API server.
      if (!upgraded) failOver(up, server);
      if (!upgraded) refuseUpgrade(socket, 502, `the API server at ${server.origin} cannot be reached: ${e.message}`);
    });
    socket.once('close', () => {
      if (!upgraded) upstream.terminate();
    });
    upstream.on('open', () => {
      upgraded = true;
      chosen.set(req, upstream.protocol);
      wss.handleUpgrade(req, socket, head, (browser) => {
        open.add(browser);
        log(`terminal ${target.pathname} opened (${upstream.protocol})`);
        splice(browser, upstream, () => {
          open.delete(browser);
          log(`terminal ${target.pathname} closed`);
        });
      });
    });
  }

  return {
    handle,
    close() {
      for (const ws of open) ws.terminate();
      wss.close();
    },
  };
}

/** Moves messages both ways as they are (binary stays binary), with back-pressure and liveness. */
function splice(browser: WebSocket, upstream: WebSocket, closed: () => void): void {
  const forward = (from: WebSocket, to: WebSocket) =>
    from.on('message', (data: RawData, isBinary: boolean) => {
      if (to.readyState !== WebSocket.OPEN) return;
      to.send(data, { binary: isBinary }, () => {
        if (from.isPaused && to.bufferedAmount < HIGH_WATER) from.resume();
      });
      if (to.bufferedAmount >= HIGH_WATER) from.pause();
    });
  forward(browser, upstream);
  forward(upstream, browser);
  let alive = true;
  browser.on('pong', () => (alive = true));
  const ping = setInterval(() => {
    if (!alive) return browser.terminate();
    alive = false;
    browser.ping();
  }, PING_MS);
  let done = false;
  const end = (code: number, reason: Buffer) => {
    if (done) return;
    done = true;
    clearInterval(ping);
    // 1005/1006 describe a close without a code; they may not be sent.
    const sendable = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
    for (const ws of [browser, upstream]) {
      if (ws.readyState === WebSocket.OPEN) ws.close(sendable, reason.subarray(0, 120));
      else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    }
    closed();
  };
  browser.on('close', end);
  upstream.on('close', end);
  browser.on('error', () => browser.terminate());
  upstream.on('error', () => upstream.terminate());
}

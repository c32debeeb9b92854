/**
 * Watches over WebSocket: the browser opens one WebSocket per watch and gets
 * each event as a text message; the console runs the watch on the API
 * server with the user's token. Browsers keep at most six HTTP/1.1
 * connections per host, and six open watches as streamed responses would
 * leave no connection for anything else (a log, a module); WebSockets do
 * not count against that limit. kube-apiserver serves watches over
 * WebSocket the same way.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { refuseUpgrade } from './refuse.js';
import { bearerFromProtocols, splitProtocols } from './token.js';
import { upstreamRequest, upstreamUrl, USER_AGENT, type Upstream } from './upstream.js';

export const WATCH_PROTOCOL = 'watch.console.podnet.io';
const HIGH_WATER = 1 << 20;

interface WatchRelay {
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function watchRelay(up: Upstream): WatchRelay {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offers) => (offers.has(WATCH_PROTOCOL) ? WATCH_PROTOCOL : false),
  });
  const open = new Set<WebSocket>();

  function handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const { token } = bearerFromProtocols(splitProtocols(req.headers['sec-websocket-protocol']));
    if (!token) return refuseUpgrade(socket, 401, 'no token: log in to the console');
    const outgoing = upstreamRequest(
      up,
      upstreamUrl(up, req.url ?? '/'),
      {
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'user-agent': USER_AGENT },
      },
      (answer) => {
        if (answer.statusCode !== 200) {
          const chunks: Buffer[] = [];
          answer.on('data', (b: Buffer) => chunks.push(b));
          answer.on('end', () =>
            refuseUpgrade(socket, answer.statusCode ?? 502, Buffer.concat(chunks).toString(), true),
          );
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          open.add(ws);
          let rest = '';
          answer.setEncoding('utf8');
          answer.on('data', (text: string) => {
            rest += text;
            const lines = rest.split('\n');
            rest = lines.pop()!;
            for (const line of lines) if (line.trim()) ws.send(line);
            if (ws.bufferedAmount > HIGH_WATER) {
              answer.pause();
              ws.send('', () => answer.resume());
            }
          });
          answer.on('end', () => ws.close(1000, 'watch ended'));
          answer.on('error', () => ws.close(1011, 'watch failed'));
          ws.on('close', () => {
            open.delete(ws);
            outgoing.destroy();
          });
          ws.on('error', () => ws.terminate());
        });
      },
    );
    outgoing.on('error', (e) =>
      refuseUpgrade(socket, 502, `the API server at ${up.url.origin} cannot be reached: ${e.message}`),
    );
    socket.once('close', () => outgoing.destroy());
    outgoing.end();
  }

  return {
    handle,
    close() {
      for (const ws of open) ws.terminate();
      wss.close();
    },
  };
}

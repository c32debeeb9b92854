/** An upgrade request answered with an HTTP error instead of 101. */
import type { Duplex } from 'node:stream';
import { statusBody } from './api-proxy.js';

const TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

/** `raw`: the body is already the API server's Status; otherwise a Status is made of the message. */
export function refuseUpgrade(socket: Duplex, code: number, message: string, raw = false): void {
  if (socket.destroyed) return;
  const body = raw ? message : JSON.stringify(statusBody(code, message));
  socket.end(
    `HTTP/1.1 ${code} ${TEXT[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

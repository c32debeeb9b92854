/** The agent's metrics port: GET /metrics (Prometheus text) and /healthz. */
import { createServer, type Server } from 'node:http';

export async function serveMetrics(host: string, port: number, text: () => string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(text());
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200);
      res.end('ok');
      return;
    }
    res.writeHead(404);
    res.end('try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new Error(`cannot serve proxy metrics on ${host}:${port}: ${e.message}; pass another metrics port`)),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

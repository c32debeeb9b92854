/**
 * The console in-process against a stand-in API server on loopback that
 * accepts one token: the page for anyone, reads and terminals only with a
 * token and only as the API server allows, the token passed on and never
 * replaced.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { createConsoleServer, type ConsoleServer } from './server.js';
import { BEARER_PROTOCOL_PREFIX } from './token.js';

const TOKEN = 'good-token';
let api: Server;
let consoleServer: ConsoleServer;
let base: string;
const seen: { path: string; auth?: string }[] = [];

const listen = (s: Server) =>
  new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

before(async () => {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => (p.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false),
  });
  api = createServer((req, res) => {
    seen.push({ path: req.url!, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ kind: 'Status', code: 401, message: 'Unauthorized' }));
    }
    if (req.url!.includes('watch=1')) {
      // A watch: one event now, then held open.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'n1' } } }) + '\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'x=y' });
    res.end(JSON.stringify({ kind: 'NodeList', items: [{ metadata: { name: 'n1' } }] }));
  });
  api.on('upgrade', (req: IncomingMessage, socket, head) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}` || /bearer/.test(req.headers['sec-websocket-protocol'] ?? '')) {
      socket.end(
        'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"code":401,"x"',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // An exec that echoes stdin on stdout and tells the resize it got.
      ws.on('message', (data: Buffer) => {
        if (data[0] === 0) ws.send(Buffer.concat([Buffer.from([1]), data.subarray(1)]));
        if (data[0] === 4) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('resized '), data.subarray(1)]));
      });
    });
  });
  const apiPort = await listen(api);
  consoleServer = createConsoleServer({
    upstream: { url: new URL(`http://127.0.0.1:${apiPort}`) },
    log: () => undefined,
  });
  base = `http://127.0.0.1:${await listen(consoleServer.server)}`;
});

after(async () => {
  await consoleServer.close();
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
});

test('the page and its modules need no token and say what the page may load', async () => {
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<script type="module" src="\/app\/main.js">/);
  assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
  for (const path of [
    '/app/main.js',
    '/app/network-model.js',
    '/vendor/xterm.mjs',
    '/vendor/xterm.css',
    '/console.css',
  ]) {
    const r = await fetch(base + path);
    assert.equal(r.status, 200, path);
    await r.arrayBuffer();
  }
  const missing = await fetch(`${base}/app/nope.js`);
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
});

test('no token, no data: 401 before anything reaches the API server', async () => {
  const before = seen.length;
  const r = await fetch(`${base}/api/v1/nodes`);
  assert.equal(r.status, 401);
  assert.equal(((await r.json()) as { reason: string }).reason, 'Unauthorized');
  assert.equal(seen.length, before);
});

test("a wrong token is the API server's 401; a good one reads, passed on as it was", async () => {
  const bad = await fetch(`${base}/api/v1/nodes`, { headers: { authorization: 'Bearer wrong' } });
  assert.equal(bad.status, 401);
  await bad.arrayBuffer();
  const good = await fetch(`${base}/api/v1/nodes?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(good.status, 200);
  assert.equal(good.headers.get('set-cookie'), null);
  assert.deepEqual(((await good.json()) as { items: unknown[] }).items, [{ metadata: { name: 'n1' } }]);
  assert.deepEqual(seen.at(-1), { path: '/api/v1/nodes?limit=1', auth: `Bearer ${TOKEN}` });
});

test('a watch streams as it comes', async () => {
  const abort = new AbortController();
  const r = await fetch(`${base}/api/v1/nodes?watch=1`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: abort.signal,
  });
  const reader = r.body!.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /"ADDED"/);
  abort.abort();
});

test('writes are refused', async () => {
  const r = await fetch(`${base}/api/v1/namespaces/default/pods`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: '{}',
  });
  assert.equal(r.status, 405);
  await r.arrayBuffer();
});

const execUrl = () =>
  `${base.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&tty=true`;
const bearer = (t: string) => BEARER_PROTOCOL_PREFIX + Buffer.from(t).toString('base64url');

function refusal(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
    ws.on('open', () => reject(new Error('the terminal opened')));
    ws.on('error', () => undefined); // the refusal is the answer
  });
}

test('a terminal without a token, or with a wrong one, is refused with 401', async () => {
  assert.equal(await refusal(new WebSocket(execUrl(), ['v5.channel.k8s.io'])), 401);
  assert.equal(await refusal(new WebSocket(execUrl(), ['v5.channel.k8s.io', bearer('wrong')])), 401);
});

test('a terminal relays frames both ways with the token as the Authorization header', async () => {
  const ws = new WebSocket(execUrl(), ['v5.channel.k8s.io', 'v4.channel.k8s.io', bearer(TOKEN)]);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  const got: string[] = [];
  const twoMessages = new Promise<void>((resolve) =>
    ws.on('message', (d: Buffer) => {
      got.push(`${d[0]}:${d.subarray(1).toString()}`);
      if (got.length === 2) resolve();
    }),
  );
  ws.send(Buffer.from('\x00hostname\r'));
  ws.send(Buffer.from('\x04{"Width":100,"Height":30}'));
  await twoMessages;
  assert.deepEqual(got, ['1:hostname\r', '1:resized {"Width":100,"Height":30}']);
  ws.close();
});

test('a watch over WebSocket: one event per message, with the token; none without', async () => {
  const watchUrl = `${base.replace('http', 'ws')}/api/v1/nodes?watch=1&resourceVersion=1`;
  assert.equal(await refusal(new WebSocket(watchUrl, ['watch.console.podnet.io'])), 401);
  assert.equal(await refusal(new WebSocket(watchUrl, ['watch.console.podnet.io', bearer('wrong')])), 401);
  const ws = new WebSocket(watchUrl, ['watch.console.podnet.io', bearer(TOKEN)]);
  const first = await new Promise<string>((resolve, reject) => {
    ws.once('message', (d: Buffer) => resolve(d.toString()));
    ws.once('error', reject);
  });
  assert.deepEqual(JSON.parse(first), { type: 'ADDED', object: { metadata: { name: 'n1' } } });
  assert.equal(seen.at(-1)!.auth, `Bearer ${TOKEN}`);
  ws.close();
});

test('only exec, attach and watches upgrade', async () => {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/namespaces/default/pods/web/portforward`, [
    bearer(TOKEN),
  ]);
  assert.equal(await refusal(ws), 404);
});

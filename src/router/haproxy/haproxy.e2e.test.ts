/**
 * The rendered config, the Runtime API plan and the process manager against
 * the real HAProxy, with apps on loopback: routing precedence, error causes,
 * sticky sessions, endpoint and route changes without reload, a seamless
 * reload, and a new controller adopting a running HAProxy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installed, needs } from '../../testing/requirements.js';
import { selfSignedPem } from '../self-signed.js';
import type { Backend, Route, RouterState, Server } from '../types.js';
import { appliedFromRendered, keepAliases, needsReload, planRuntime, takeStandby, type AppliedState } from './plan.js';
import { Haproxy } from './process.js';
import { DEFAULT_TIMEOUTS, ERROR_HEADER, mapFile, paths, renderHaproxy, type HaproxySettings } from './render.js';

interface App {
  name: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** An app that answers with its name and sets JSESSIONID on /login. */
async function startApp(name: string, status = 200): Promise<App> {
  const app: App = { name, port: 0, hits: 0, close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    app.hits++;
    const headers: Record<string, string> = { 'content-type': 'text/plain', 'x-app': name };
    if (req.url?.endsWith('/login')) headers['set-cookie'] = `JSESSIONID=${name}-session; Path=/`;
    res
      .writeHead(status, headers)
      .end(
        `${name} ${req.url} xff=${String(req.headers['x-forwarded-for'])} rid=${String(req.headers['x-request-id'])}`,
      );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  app.port = (server.address() as AddressInfo).port;
  app.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return app;
}

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Sends raw bytes to 127.0.0.1:port; returns what comes back until the server closes or the timeout. */
function raw(port: number, text: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let out = '';
    const done = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve(out);
    };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d: Buffer) => (out += d.toString('latin1')));
    sock.on('close', done);
    sock.on('error', done);
    sock.write(text);
  });
}

function get(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { ...headers, host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const src = { kind: 'Ingress' as const, namespace: 'default', name: 'ing', uid: 'u1', created: '2026-01-01T00:00:00Z' };
const route = (host: string, path: string, pathType: Route['pathType'], backend: string): Route => ({
  host,
  path,
  pathType,
  backend,
  source: src,
});
const backend = (name: string, servers: Server[]): Backend => ({
  name,
  namespace: 'default',
  service: name,
  servicePort: '80',
  options: { balance: 'roundrobin' },
  servers,
});
const server = (app: App, name = app.name): Server => ({ name, address: '127.0.0.1', port: app.port });

test(
  'HAProxy driven by the rendered config and the Runtime API plan',
  { skip: needs(installed('/usr/sbin/haproxy', 'haproxy')), timeout: 120_000 },
  async (t) => {
    const runDir = mkdtempSync(join(tmpdir(), 'podnet-router-'));
    const apps = await Promise.all(['a1', 'a2', 'b1', 'root', 'wild', 'exact'].map((n) => startApp(n)));
    const [a1, a2, b1, root, wild, exact] = apps as [App, App, App, App, App, App];
    const port = await freePort();
    const settings: HaproxySettings = {
      runDir,
      httpBinds: [`127.0.0.1:${port}`],
      httpsBinds: [],
      threads: 1,
      timeouts: { ...DEFAULT_TIMEOUTS, connectMs: 500, responseMs: 2000, headerMs: 1500 },
    };
    const haproxy = new Haproxy(runDir);
    t.after(async () => {
      await haproxy.stop();
      await Promise.all(apps.map((a) => a.close()));
      rmSync(runDir, { recursive: true, force: true });
    });

    let state: RouterState = {
      backends: [
        backend('a', [server(a1), server(a2)]),
        backend('b', [server(b1)]),
        backend('root', [server(root)]),
        backend('wild', [server(wild)]),
        backend('exact', [server(exact)]),
        backend('empty', []),
      ],
      routes: [
        route('shop.example.com', '/', 'Prefix', 'root'),
        route('shop.example.com', '/aaa/bbb', 'Prefix', 'b'),
        route('shop.example.com', '/aaa', 'Prefix', 'a'),
        route('shop.example.com', '/aaa/bbb', 'Exact', 'exact'),
        route('*.apps.example.com', '/', 'Prefix', 'wild'),
        route('shop.example.com', '/empty', 'Prefix', 'empty'),
      ],
      certificates: [],
      events: [],
      ingressAddresses: new Map(),
    };
    const write = (r: ReturnType<typeof renderHaproxy>) => {
      const p = paths(runDir);
      mkdirSync(p.tlsDir, { recursive: true });
      writeFileSync(p.defaultCert, selfSignedPem('default.invalid'));
      for (const [f, text] of r.tlsFiles) writeFileSync(join(p.tlsDir, f), text);
      mkdirSync(join(runDir, 'maps'), { recursive: true });
      writeFileSync(p.exactMap, mapFile(r.exact));
      writeFileSync(p.prefixMap, mapFile(r.prefix));
      writeFileSync(p.config, r.config);
    };
    let rendered = renderHaproxy(state, settings);
    write(rendered);
    await haproxy.validate();
    await haproxy.start();
    let applied: AppliedState = appliedFromRendered(state, rendered);
    const converge = async () => {
      rendered = renderHaproxy(state, settings);
      write(rendered);
      const commands = planRuntime(applied, state, rendered, runDir);
      const replies = await haproxy.commands(commands.map((c) => c.text));
      commands.forEach((c, i) => {
        if (c.succeeded(replies[i] ?? '')) c.apply(applied);
      });
      return commands;
    };
    /** Converges until HAProxy has deleted every server it should (it refuses while connections are attached). */
    const settle = async () => {
      const commands = await converge();
      for (let i = 0; i < 50 && planRuntime(applied, state, rendered, runDir).length; i++) {
        await new Promise((r) => setTimeout(r, 100));
        await converge();
      }
      assert.deepEqual(
        planRuntime(applied, state, rendered, runDir).map((c) => c.text),
        [],
      );
      return commands;
    };
    const appOf = async (host: string, path: string) => String((await get(port, host, path)).headers['x-app'] ?? '');
    const appOfWith = async (cookie: string) =>
      String((await get(port, 'shop.example.com', '/aaa/x', { cookie })).headers['x-app'] ?? '');

    await t.test(
      'host and path precedence: Exact, then the longest Prefix by whole elements, then the wildcard',
      async () => {
        const cases: [string, string, string][] = [
          ['shop.example.com', '/aaa/bbb', 'exact'],
          ['SHOP.example.com:80', '/aaa/bbb/', 'b1'],
          ['shop.example.com', '/aaa/bbb/ccc?q=1', 'b1'],
          ['shop.example.com', '/aaa/bbbxyz', 'a'],
          ['shop.example.com', '/aaa', 'a'],
          ['shop.example.com', '/aaax', 'root'],
          ['x.apps.example.com', '/anything', 'wild'],
        ];
        for (const [host, path, want] of cases) {
          const got = await appOf(host, path);
          if (want === 'a') assert.match(got, /^a[12]$/, `${host}${path}`);
          else assert.equal(got, want, `${host}${path}`);
        }
      },
    );

    await t.test('errors name their cause: unknown route 404, no endpoints 503', async () => {
      for (const [host, path] of [
        ['y.x.apps.example.com', '/'],
        ['apps.example.com', '/'],
        ['other.example.com', '/'],
      ] as const) {
        const r = await get(port, host, path);
        assert.equal(r.status, 404, `${host}${path}`);
        assert.equal(r.headers[ERROR_HEADER.toLowerCase()], 'unknown_route');
      }
      const r = await get(port, 'shop.example.com', '/empty');
      assert.equal(r.status, 503);
      assert.equal(r.headers[ERROR_HEADER.toLowerCase()], 'no_endpoints');
    });

    await t.test('forwarded headers and a request id, kept when the client sends one', async () => {
      const r = await get(port, 'shop.example.com', '/', { 'x-request-id': 'client-123' });
      assert.match(r.body, /xff=127\.0\.0\.1 rid=client-123/);
      assert.equal(r.headers['x-request-id'], 'client-123');
      const fresh = await get(port, 'shop.example.com', '/');
      assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });

    await t.test('sticky sessions only when the app sets JSESSIONID, and a gone pod falls back', async () => {
      const plain = await get(port, 'shop.example.com', '/aaa');
      assert.equal(plain.headers['set-cookie'], undefined, 'no session, no pinning');
      const login = await get(port, 'shop.example.com', '/aaa/login');
      const pinned = String(login.headers['x-app']);
      const cookies = (login.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
      assert.equal(cookies.length, 2, cookies.join(', '));
      assert.ok(cookies.includes(`JSESSIONID=${pinned}-session`), cookies.join(', '));
      // Opaque (a hash of the pod's address and port), the same on every router.
      assert.match(
        cookies.find((c) => c.startsWith('__PODNET_ID__='))!,
        /^__PODNET_ID__=[0-9a-f]{16}$/,
      );
      const cookie = cookies.join('; ');
      for (let i = 0; i < 6; i++) assert.equal(await appOfWith(cookie), pinned);
      // The pinned pod goes away: the cookie falls back to the other pod, never to an error.
      const other = pinned === 'a1' ? a2 : a1;
      state = { ...state, backends: state.backends.map((b) => (b.name === 'a' ? backend('a', [server(other)]) : b)) };
      await settle();
      for (let i = 0; i < 3; i++) assert.equal(await appOfWith(cookie), other.name);
      state = {
        ...state,
        backends: state.backends.map((b) => (b.name === 'a' ? backend('a', [server(a1), server(a2)]) : b)),
      };
      await settle();
    });

    await t.test('hostile clients are refused without affecting others', async () => {
      // Slowloris: connections that never finish their headers are cut at the header timeout (408).
      const slow = Array.from({ length: 20 }, () =>
        raw(port, 'GET / HTTP/1.1\r\nHost: shop.example.com\r\nX-a: 1\r\n', 5000),
      );
      for (let i = 0; i < 5; i++)
        assert.equal(await appOf('shop.example.com', '/aaax'), 'root', 'others are served meanwhile');
      for (const reply of await Promise.all(slow)) assert.match(reply, /^HTTP\/1\.1 408/);
      // Oversized headers: 431 up to what the parser holds, 400 beyond.
      const big = await get(port, 'shop.example.com', '/', { 'x-big': 'a'.repeat(13_000) });
      assert.equal(big.status, 431);
      assert.equal(big.headers[ERROR_HEADER.toLowerCase()], 'header_too_large');
      assert.match(
        await raw(port, `GET / HTTP/1.1\r\nHost: shop.example.com\r\nX-big: ${'a'.repeat(20_000)}\r\n\r\n`),
        /^HTTP\/1\.1 400/,
      );
      // Malformed requests.
      assert.match(await raw(port, 'GET /a b c HTTP/1.1\r\nHost: shop.example.com\r\n\r\n'), /^HTTP\/1\.1 400/);
      assert.match(
        await raw(port, 'GET / HTTP/1.1\r\nHost: shop.example.com\r\nNo colon here\r\n\r\n'),
        /^HTTP\/1\.1 400/,
      );
      // Smuggling: conflicting lengths are refused; Content-Length with chunked is read as chunked only,
      // so the request hidden in the body is never served.
      assert.match(
        await raw(
          port,
          'POST / HTTP/1.1\r\nHost: shop.example.com\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nhello',
        ),
        /^HTTP\/1\.1 400/,
      );
      const hits = root.hits;
      const smuggled = await raw(
        port,
        'POST / HTTP/1.1\r\nHost: shop.example.com\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n' +
          '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: shop.example.com\r\n\r\n',
      );
      assert.equal(smuggled.match(/HTTP\/1\.1 /g)?.length, 1, smuggled);
      assert.equal(root.hits, hits + 1, 'only the outer request reached the app');
      assert.equal(await appOf('shop.example.com', '/aaax'), 'root');
    });

    await t.test('endpoint changes go through the Runtime API, no reload', async () => {
      const procBefore = await haproxy.proc();
      state = {
        ...state,
        backends: state.backends.map((b) => (b.name === 'b' ? backend('b', [server(b1, 'b1'), server(a1, 'b2')]) : b)),
      };
      const commands = await settle();
      assert.ok(commands.some((c) => c.text.startsWith('add server b/b2')));
      const seen = new Set<string>();
      for (let i = 0; i < 6; i++) seen.add(await appOf('shop.example.com', '/aaa/bbb/x'));
      assert.deepEqual([...seen].sort(), ['a1', 'b1']);
      // A server added at run time pins sessions too.
      let pin = '';
      for (let i = 0; i < 6 && !pin; i++) {
        const login = await get(port, 'shop.example.com', '/aaa/bbb/login');
        if (login.headers['x-app'] === 'a1')
          pin = (login.headers['set-cookie'] ?? []).find((c) => c.startsWith('__PODNET_ID__='))?.split(';')[0] ?? '';
      }
      assert.match(pin, /^__PODNET_ID__=[0-9a-f]{16}$/);
      for (let i = 0; i < 4; i++)
        assert.equal((await get(port, 'shop.example.com', '/aaa/bbb/x', { cookie: pin })).headers['x-app'], 'a1');
      state = {
        ...state,
        backends: state.backends.map((b) => (b.name === 'b' ? backend('b', [server(a1, 'b2')]) : b)),
      };
      await settle();
      for (let i = 0; i < 4; i++) assert.equal(await appOf('shop.example.com', '/aaa/bbb/x'), 'a1');
      assert.equal(applied.servers.get('b')?.has('b1'), false, 'the removed server is deleted');
      assert.deepEqual((await haproxy.proc())?.reloads, procBefore?.reloads);
    });

    await t.test('route changes go through the map files at run time', async () => {
      state = { ...state, routes: [...state.routes, route('new.example.com', '/x', 'Exact', 'wild')] };
      await settle();
      assert.equal(await appOf('new.example.com', '/x'), 'wild');
      state = { ...state, routes: state.routes.filter((r) => r.host !== 'new.example.com') };
      await settle();
      assert.equal((await get(port, 'new.example.com', '/x')).status, 404);
    });

    await t.test('a failed endpoint is retried on another pod; a dead only one is a 502, then out (503)', async () => {
      const dead = await freePort();
      state = {
        ...state,
        backends: state.backends.map((b) =>
          b.name === 'b' ? backend('b', [{ name: 'dead', address: '127.0.0.1', port: dead }, server(a1, 'b2')]) : b,
        ),
      };
      await settle();
      for (let i = 0; i < 4; i++) assert.equal((await get(port, 'shop.example.com', '/aaa/bbb/x')).status, 200);
      state = {
        ...state,
        backends: state.backends.map((b) =>
          b.name === 'b' ? backend('b', [{ name: 'dead', address: '127.0.0.1', port: dead }]) : b,
        ),
      };
      await settle();
      // Until its health check marks it down the dead pod is tried (502: it failed); then none is left (503).
      const cause = async () => {
        const r = await get(port, 'shop.example.com', '/aaa/bbb/x');
        return `${r.status} ${String(r.headers[ERROR_HEADER.toLowerCase()])}`;
      };
      assert.match(await cause(), /^(502 endpoint_failure|503 no_endpoints)$/);
      for (let i = 0; i < 100 && (await cause()) !== '503 no_endpoints'; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await cause(), '503 no_endpoints', 'the health check takes the dead pod out');
      // A pod that takes the connection and closes it without answering: 502, the app failed.
      const rude = createServer((sock) => sock.destroy());
      await new Promise<void>((r) => rude.listen(0, '127.0.0.1', r));
      t.after(() => rude.close());
      const rudePort = (rude.address() as AddressInfo).port;
      state = {
        ...state,
        backends: state.backends.map((b) =>
          b.name === 'b' ? backend('b', [{ name: 'rude', address: '127.0.0.1', port: rudePort }]) : b,
        ),
      };
      await settle();
      assert.equal(await cause(), '502 endpoint_failure');
    });

    await t.test('passive ejection: a pod answering only errors is taken out, the others serve', async () => {
      const sick = await startApp('sick', 500);
      t.after(() => sick.close());
      state = {
        ...state,
        backends: state.backends.map((b) => (b.name === 'b' ? backend('b', [server(sick), server(b1)]) : b)),
      };
      await settle();
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await get(port, 'shop.example.com', '/aaa/bbb/x')).status);
      assert.ok(sick.hits >= 10 && sick.hits <= 12, `ten consecutive errors eject it (it got ${sick.hits} requests)`);
      assert.deepEqual(statuses.slice(-10), Array(10).fill(200), 'then only the healthy pod answers');
    });

    await t.test('a new backend with the default options takes a standby one: live without a reload', async () => {
      const before = await haproxy.proc();
      state = {
        ...state,
        backends: [...state.backends, backend('spare', [server(wild, 's1')])],
        routes: [...state.routes, route('spare.example.com', '/', 'Prefix', 'spare')],
      };
      assert.deepEqual(takeStandby(applied, state.backends), []);
      const standby = applied.aliases.get('spare')!;
      assert.match(standby, /^standby-\d+$/);
      await settle();
      assert.equal(await appOf('spare.example.com', '/'), 'wild');
      assert.deepEqual((await haproxy.proc())?.reloads, before?.reloads, 'no reload');
      // What HAProxy holds, read back, plus the controller's record of the standby it gave out: nothing to redo.
      const readBack = await haproxy.readApplied();
      assert.equal(readBack.standby.includes(standby), false, 'a standby in use is not free');
      keepAliases(applied, readBack);
      assert.deepEqual(
        planRuntime(readBack, state, renderHaproxy(state, settings), runDir).map((c) => c.text),
        [],
      );
    });

    await t.test('a new backend takes a reload, and a new controller adopts what HAProxy holds', async () => {
      const before = await haproxy.proc();
      state = {
        ...state,
        backends: [...state.backends, backend('fresh', [server(root, 'f1')])],
        routes: [...state.routes, route('fresh.example.com', '/', 'Prefix', 'fresh')],
      };
      rendered = renderHaproxy(state, settings);
      assert.equal(needsReload(applied, rendered), true);
      write(rendered);
      await haproxy.validate();
      await haproxy.reload();
      applied = appliedFromRendered(state, rendered);
      assert.equal((await haproxy.proc())!.reloads, before!.reloads + 1);
      assert.equal(await appOf('fresh.example.com', '/'), 'root');
      // A runtime change after the reload, then a new controller reads it all back.
      state = {
        ...state,
        backends: state.backends.map((b) => (b.name === 'fresh' ? backend('fresh', [server(wild, 'f2')]) : b)),
      };
      await settle();
      const readBack = await haproxy.readApplied();
      assert.equal(readBack.frameHash, rendered.frameHash);
      assert.equal(needsReload(readBack, rendered), false);
      assert.deepEqual(
        [...readBack.servers.get('fresh')!.keys()].filter((n) => readBack.servers.get('fresh')!.get(n)!.ready),
        ['f2'],
      );
      assert.deepEqual(readBack.exact, rendered.exact);
      assert.deepEqual(readBack.prefix, rendered.prefix);
      assert.deepEqual(
        planRuntime(readBack, state, rendered, runDir).map((c) => c.text),
        [],
      );
    });
  },
);

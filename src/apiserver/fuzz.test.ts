/**
 * Fuzzing the API server: hostile and malformed requests (fuzz/requests.ts)
 * at every verb and resource of a real in-process server over HTTPS with
 * the admin token. The server must never answer 5xx, never drop a
 * connection, stay up, and keep its heap bounded.
 *
 * CI runs a fixed seed; any other run: PODNET_FUZZ_SEED=N PODNET_FUZZ_ROUNDS=M
 * node --test dist/apiserver/fuzz.test.js. A failure names the seed and
 * round, so it replays exactly.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApiServer } from './server.js';
import { Random } from './fuzz/random.js';
import { FUZZ_NAMESPACE, randomRequest, type FuzzRequest } from './fuzz/requests.js';

const SEED = Number(process.env['PODNET_FUZZ_SEED'] ?? 20_2026);
const ROUNDS = Number(process.env['PODNET_FUZZ_ROUNDS'] ?? 1500);
/** A heap above this while fuzzing means something kept or built what it should have refused. */
const HEAP_LIMIT_BYTES = 768 * 1024 * 1024;

/** Far above any answer's time (a future resourceVersion waits 3 s), only to name a request that hangs. */
const NO_ANSWER_MS = 20_000;

interface Answer {
  status: number;
  body: string;
}

test(`fuzz: ${ROUNDS} hostile requests (seed ${SEED}) never get a 5xx, never kill the server`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-fuzz-'));
  const server = await startApiServer({ stateDir: dir, host: '127.0.0.1', port: 0, controllers: false });
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: server.caCertPem });
  t.after(async () => {
    agent.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = new URL(server.url);
  const send = (r: FuzzRequest): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: r.method,
          path: r.path,
          agent,
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            ...r.headers,
            // Every real client frames its body (node sends a DELETE's body unframed otherwise).
            ...(r.body ? { 'content-length': String(r.body.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          // A watch stream that started is answer enough; do not hold the connection for its timeout.
          if (res.headers['transfer-encoding'] === 'chunked' && res.statusCode === 200) {
            res.destroy();
            resolve({ status: 200, body: '' });
            return;
          }
          res.on('data', (c: Buffer) => chunks.push(c));
          const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
          res.on('end', done);
          res.on('close', done);
          res.on('error', () => done());
        },
      );
      req.on('error', reject);
      // A request the server never answers is a failure of its own (it would hang the run).
      req.setTimeout(NO_ANSWER_MS, () => {
        req.destroy();
        resolve({ status: 0, body: `no answer within ${NO_ANSWER_MS / 1000} s` });
      });
      req.end(r.body);
    });

  const ns = await send({
    method: 'POST',
    path: '/api/v1/namespaces',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FUZZ_NAMESPACE } })),
  });
  assert.equal(ns.status, 201, ns.body);

  const rnd = new Random(SEED);
  const statuses = new Map<number, number>();
  let peakHeap = 0;
  // Every wrong answer of the run, so one run shows them all.
  const failures: string[] = [];
  let slowest = { ms: 0, what: '' };
  for (let round = 0; round < ROUNDS; round++) {
    const r = randomRequest(rnd);
    const what = () =>
      `seed ${SEED}, round ${round}: ${r.method} ${r.path} ${JSON.stringify(r.headers)} body ${r.body?.length ?? 0} bytes: ${r.body?.toString('utf8').slice(0, 200) ?? ''}`;
    let answer: Answer;
    const started = performance.now();
    try {
      answer = await send(r);
      const took = performance.now() - started;
      if (took > slowest.ms) slowest = { ms: took, what: what() };
    } catch (e) {
      assert.fail(`the connection failed (${(e as Error).message}): ${what()}`);
    }
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    const wrong = wrongAnswer(r, answer);
    if (wrong) failures.push(`${wrong}\n  ${what()}`);
    if (round % 50 === 0) {
      const heap = process.memoryUsage().heapUsed;
      peakHeap = Math.max(peakHeap, heap);
      assert.ok(heap < HEAP_LIMIT_BYTES, `heap at ${heap} bytes after ${what()}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} wrong answers:\n${failures.slice(0, 30).join('\n')}`);
  const ready = await send({ method: 'GET', path: '/readyz', headers: {} });
  assert.equal(ready.status, 200, 'the server is still up and ready');
  t.diagnostic(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`);
  t.diagnostic(`slowest answer: ${Math.round(slowest.ms)} ms, ${slowest.what.slice(0, 300)}`);
  t.diagnostic(`peak heap: ${Math.round(peakHeap / 1024 / 1024)} MiB`);
});

/** What is wrong with an answer: a 5xx, or an error that is not a Status saying what went wrong. */
function wrongAnswer(r: FuzzRequest, a: Answer): string | undefined {
  if (a.status < 200 || a.status >= 500) return `answered ${a.status} ${a.body.slice(0, 300)}`;
  if (a.status < 400 || r.method === 'HEAD') return undefined;
  let status: { kind?: string; code?: number; message?: string };
  try {
    status = JSON.parse(a.body) as typeof status;
  } catch {
    return `error ${a.status} is not JSON: ${a.body.slice(0, 300)}`;
  }
  if (status.kind !== 'Status' || status.code !== a.status || !status.message)
    return `error ${a.status} is not a Status that says what went wrong: ${a.body.slice(0, 300)}`;
  return undefined;
}

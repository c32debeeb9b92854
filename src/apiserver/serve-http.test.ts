import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ensurePki } from './state/pki.js';
import { nodeHandler, readTlsThroughStream } from './serve-http.js';

const REQUESTS = 500;
const IN_FLIGHT = 64;
const BODY_BYTES = 20 * 1024;
const MAX_ROUNDS = 6;

// The client runs on its own thread (own event loop), like a real client in another
// process: only then does a request reach the server before the last response drained.
const clientSource = `
const https = require('node:https');
const { workerData, parentPort } = require('node:worker_threads');
const { port, ca, requests, inFlight, bodyBytes } = workerData;
const agent = new https.Agent({ keepAlive: true, maxSockets: inFlight, ca });
const body = Buffer.alloc(bodyBytes, 'b');
let started = 0, ok = 0; const failures = [];
const one = () => new Promise((resolve) => {
  const req = https.request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', agent,
    headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
    let got = 0;
    res.on('data', (c) => { got += c.length; });
    res.on('end', () => { if (res.statusCode === 200 && got === bodyBytes) ok++; else failures.push('status ' + res.statusCode + ', ' + got + ' bytes'); resolve(); });
    res.on('error', (e) => { failures.push(e.code || e.message); resolve(); });
  });
  req.on('error', (e) => { failures.push(e.code || e.message); resolve(); });
  req.end(body);
});
const worker = async () => { while (started < requests) { started++; await one(); } };
Promise.all(Array.from({ length: inFlight }, worker)).then(() => { agent.destroy(); parentPort.postMessage({ ok, failures }); });
`;

test('keep-alive HTTPS: large request bodies right after large responses all get answered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'serve-http-test-'));
  try {
    const pki = ensurePki(dir, { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    let receivedBodyBytes = 0;
    let arrivedWhileDraining = 0;
    const response = 'r'.repeat(BODY_BYTES);
    const handler = nodeHandler(async (req) => {
      receivedBodyBytes += req.rawBody?.byteLength ?? 0;
      // Answer from the check phase, as an app that awaits I/O often does; the
      // TLS write then completes a loop iteration later and the next request can overtake it.
      await new Promise((resolve) => setImmediate(resolve));
      return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: response };
    });
    const server = readTlsThroughStream(
      createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
        // The situation that made Node 20 pause the parser mid-body.
        if ((req.socket as TLSSocket).writableNeedDrain) arrivedWhileDraining++;
        handler(req, res);
      }),
    );
    const clientErrors: string[] = [];
    server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
      clientErrors.push(e.code ?? e.message);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // Whether a request overtakes a draining response depends on scheduling: run rounds
      // of load until one did (every round must be answered in full either way).
      let rounds = 0;
      while (rounds < MAX_ROUNDS && arrivedWhileDraining === 0) {
        rounds++;
        const result = await new Promise<{ ok: number; failures: string[] }>((resolve, reject) => {
          const client = new Worker(clientSource, {
            eval: true,
            workerData: { port, ca: pki.caCertPem, requests: REQUESTS, inFlight: IN_FLIGHT, bodyBytes: BODY_BYTES },
          });
          client.once('message', resolve);
          client.once('error', reject);
        });
        assert.deepEqual(clientErrors, [], 'the server rejected requests on kept-alive connections');
        assert.deepEqual(result.failures, [], 'some requests got no complete answer');
        assert.equal(result.ok, REQUESTS);
        assert.equal(receivedBodyBytes, rounds * REQUESTS * BODY_BYTES);
      }
      // Without this the test would not have exercised the paused-parser path at all.
      assert.ok(
        arrivedWhileDraining > 0,
        `no request arrived while a response was still draining in ${rounds} rounds; the load did not reach the case under test`,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

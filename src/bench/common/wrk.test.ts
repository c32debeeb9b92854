import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWrk } from './wrk.js';

const KEEP_ALIVE = `Running 2s test @ http://10.77.0.1:8002/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.13ms  764.31us  14.26ms   88.07%
    Req/Sec    15.21k     1.02k   16.52k    75.00%
  Latency Distribution
     50%    2.01ms
     75%    2.30ms
     90%    2.80ms
     99%    5.12ms
  30270 requests in 2.00s, 4.76MB read
  Socket errors: connect 0, read 3, write 0, timeout 1
  Non-2xx or 3xx responses: 7
Requests/sec:  15134.22
Transfer/sec:      2.38MB
`;

test('parseWrk reads the rate, the p99 in any unit, and every error', () => {
  const w = parseWrk(KEEP_ALIVE);
  assert.equal(w.requestsPerSec, 15134.22);
  assert.equal(w.requests, 30270);
  assert.equal(w.latencyAvgMs, 2.13);
  assert.equal(w.latencyP99Ms, 5.12);
  assert.equal(w.socketErrors, 4);
  assert.equal(w.non2xx, 7);
  const us = parseWrk(KEEP_ALIVE.replace('99%    5.12ms', '99%  812.00us').replace('2.13ms', '1.50s'));
  assert.equal(us.latencyP99Ms, 0.812);
  assert.equal(us.latencyAvgMs, 1500);
});

test('without --latency the p99 is NaN, and no rate is an error', () => {
  const w = parseWrk(KEEP_ALIVE.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, ''));
  assert.ok(Number.isNaN(w.latencyP99Ms));
  assert.equal(w.latencyAvgMs, 2.13);
  assert.throws(() => parseWrk('unable to connect to 10.77.0.1:8002 Connection refused'), /no rate/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGoals, ratioSummary, type BenchSummary, type ChangeSummary } from './report.js';
import type { ThroughputRun } from './throughput.js';

const run = (rps: number, p99: number): ThroughputRun => ({
  requestsPerSec: rps,
  requests: rps * 2,
  socketErrors: 0,
  non2xx: 0,
  latencyAvgMs: 1,
  latencyP99Ms: p99,
  wallS: 2,
  proxyCpuS: 1,
  controllerCpuS: 0,
  coreBusy: [1, 1],
});

test('ratios are taken within a round, so drift shared by a round cancels', () => {
  // The machine halves its speed in the second half; podnet is 0.9x haproxy in every round.
  const haproxy = [10, 10, 10, 10, 5, 5, 5, 5].map((k) => run(k * 1000, 20 / k));
  const podnet = haproxy.map((w) => run(w.requestsPerSec * 0.9, w.latencyP99Ms * 1.05));
  const r = ratioSummary(podnet, haproxy, 'podnet', 'haproxy');
  assert.ok(Math.abs(r.rps - 0.9) < 1e-9);
  assert.ok(Math.abs(r.p99 - 1.05) < 1e-9);
  assert.ok(Math.abs(r.rpsInterval[0] - 0.9) < 1e-9 && Math.abs(r.rpsInterval[1] - 0.9) < 1e-9);
});

const change = (kind: 'endpoint' | 'route', routes: number, p99: number, failures = 0): ChangeSummary => {
  const s = { n: 60, mean: p99 / 2, p50: p99 / 2, p90: p99, p99, max: p99 };
  return { kind, routes, fromResponse: s, fromSend: s, api: s, failures, probeFailures: 0, probeRequests: 100 };
};

const summary = (over: Partial<BenchSummary>): BenchSummary => ({
  throughput: [],
  changes: [],
  changePhases: [],
  phaseErrors: [],
  ...over,
});

test('a ratio goal is met only when the whole 95 % interval clears it', () => {
  const cases: Array<[string, [number, number], [number, number], boolean, boolean]> = [
    ['both clear', [0.98, 1.02], [0.95, 1.08], true, true],
    ['req/s interval reaches below 0.97', [0.96, 1.01], [0.95, 1.05], false, true],
    ['p99 interval reaches above 1.1', [0.98, 1.0], [1.0, 1.12], true, false],
    ['too few rounds', [NaN, NaN], [NaN, NaN], false, false],
  ];
  for (const [name, rpsInterval, p99Interval, rpsMet, p99Met] of cases) {
    const s = summary({
      throughput: [
        {
          case: 'keep-alive',
          proxies: [],
          ratios: [{ of: 'podnet', to: 'haproxy', rps: 0.99, rpsInterval, p99: 1.0, p99Interval }],
        },
      ],
    });
    const [rps, p99] = checkGoals(s);
    assert.equal(rps!.met, rpsMet, `${name}: req/s`);
    assert.equal(p99!.met, p99Met, `${name}: p99`);
  }
});

test('change goals: 20 ms at one route, 50 ms among many, and no failed sample', () => {
  const s = summary({
    changes: [change('endpoint', 1, 19), change('endpoint', 10_001, 45), change('route', 10_001, 49, 1)],
  });
  assert.deepEqual(
    checkGoals(s).map((g) => g.met),
    [true, true, false],
  );
  assert.equal(checkGoals(summary({ changes: [change('endpoint', 1, 21)] }))[0]!.met, false);
});

test('a phase that did not complete is a missed goal', () => {
  const g = checkGoals(summary({ phaseErrors: ['scale: podnet router did not serve 10001 routes within 600 s'] }));
  assert.equal(g.length, 1);
  assert.equal(g[0]!.met, false);
  assert.match(g[0]!.goal, /scale phase/);
});

/**
 * The Runtime API plan: from every state to every other state of the same
 * structure, applying the planned commands (as if HAProxy accepted them
 * all) gives exactly what a fresh load of the target state holds; a second
 * plan is empty. And the commands come in a safe order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, Route, RouterState, Server } from '../types.js';
import {
  appliedFromRendered,
  freeStandby,
  keepAliases,
  needsReload,
  planRuntime,
  takeStandby,
  type AppliedState,
} from './plan.js';
import { DEFAULT_TIMEOUTS, fitsStandby, renderHaproxy, standbyCount, type HaproxySettings } from './render.js';

const settings: HaproxySettings = {
  runDir: '/run/r',
  httpBinds: ['0.0.0.0:80'],
  httpsBinds: [],
  threads: 1,
  timeouts: DEFAULT_TIMEOUTS,
};
const src = { kind: 'Ingress' as const, namespace: 'ns', name: 'i', uid: 'u', created: '' };
const srv = (name: string, last: number, port = 8080): Server => ({ name, address: `10.244.1.${last}`, port });
const be = (name: string, servers: Server[]): Backend => ({
  name,
  namespace: 'ns',
  service: name,
  servicePort: '80',
  options: { balance: 'roundrobin' },
  servers,
});
const rt = (host: string, path: string, backend: string, pathType: Route['pathType'] = 'Prefix'): Route => ({
  host,
  path,
  pathType,
  backend,
  source: src,
});
const state = (a: Server[], b: Server[], routes: Route[]): RouterState => ({
  backends: [be('a', a), be('b', b)],
  routes,
  certificates: [],
  events: [],
  ingressAddresses: new Map(),
});

/** States of one structure (backends a and b): endpoints and routes vary. */
const STATES: Record<string, RouterState> = {
  empty: state([], [], []),
  one: state([srv('p1', 1)], [], [rt('x.example.com', '/', 'a')]),
  two: state(
    [srv('p1', 1), srv('p2', 2)],
    [srv('q1', 3)],
    [rt('x.example.com', '/', 'a'), rt('x.example.com', '/api', 'b')],
  ),
  moved: state(
    [srv('p1', 9), srv('p2', 2, 9090)],
    [srv('q1', 3)],
    [rt('x.example.com', '/', 'b'), rt('', '/e', 'a', 'Exact')],
  ),
  swapped: state(
    [srv('q1', 3)],
    [srv('p1', 1), srv('p2', 2)],
    [rt('*.example.com', '/', 'a'), rt('x.example.com', '/api', 'b')],
  ),
};

function applyAll(applied: AppliedState, target: RouterState): string[] {
  const r = renderHaproxy(target, settings);
  const commands = planRuntime(applied, target, r, settings.runDir);
  for (const c of commands) c.apply(applied);
  return commands.map((c) => c.text);
}

const comparable = (a: AppliedState) => ({
  servers: [...a.servers].map(([b, m]) => [b, [...m].sort(([x], [y]) => (x < y ? -1 : 1))]).sort(),
  exact: [...a.exact].sort(),
  prefix: [...a.prefix].sort(),
});

test('every state to every other: the plan lands exactly on the target, and converges', () => {
  for (const [fromName, from] of Object.entries(STATES)) {
    for (const [toName, to] of Object.entries(STATES)) {
      const rFrom = renderHaproxy(from, settings);
      const rTo = renderHaproxy(to, settings);
      assert.equal(needsReload(appliedFromRendered(from, rFrom), rTo), false, 'same structure');
      const applied = appliedFromRendered(from, rFrom);
      applyAll(applied, to);
      // Deleted servers leave nothing; everything else is ready, as after a fresh load.
      assert.deepEqual(comparable(applied), comparable(appliedFromRendered(to, rTo)), `${fromName} -> ${toName}`);
      assert.deepEqual(applyAll(applied, to), [], `${fromName} -> ${toName} converged`);
    }
  }
});

test('order: servers are added and ready before routes point at them; removals come last', () => {
  const applied = appliedFromRendered(STATES.one!, renderHaproxy(STATES.one!, settings));
  const texts = applyAll(applied, STATES.swapped!);
  assert.deepEqual(texts, [
    'add server a/q1 10.244.1.3:8080 ' + texts[0]!.split(' ').slice(4).join(' '),
    'enable health a/q1',
    'enable dynamic-cookie backend a',
    'set server a/q1 state ready',
    'add server b/p1 10.244.1.1:8080 ' + texts[4]!.split(' ').slice(4).join(' '),
    'enable health b/p1',
    'add server b/p2 10.244.1.2:8080 ' + texts[6]!.split(' ').slice(4).join(' '),
    'enable health b/p2',
    'enable dynamic-cookie backend b',
    'set server b/p1 state ready',
    'set server b/p2 state ready',
    'add map /run/r/maps/prefix.map *.example.com/ a',
    'add map /run/r/maps/prefix.map x.example.com/api/ b',
    'del map /run/r/maps/prefix.map x.example.com/',
    'set server a/p1 state maint',
    'del server a/p1',
  ]);
  assert.match(texts[0]!, /check .* observe layer7 .* pool-max-conn -1/);
});

test('a deletion HAProxy refused is retried through drain, which closes idle pooled connections', () => {
  const applied = appliedFromRendered(STATES.one!, renderHaproxy(STATES.one!, settings));
  const target = STATES.empty!;
  const r = renderHaproxy(target, settings);
  const first = planRuntime(applied, target, r, settings.runDir);
  // HAProxy takes the maintenance but refuses the deletion.
  for (const c of first) if (!c.text.startsWith('del server')) c.apply(applied);
  assert.deepEqual(
    planRuntime(applied, target, r, settings.runDir).map((c) => c.text),
    ['set server a/p1 state drain', 'set server a/p1 state maint', 'del server a/p1'],
  );
  // A pod of the same name coming back while its old entry waits for deletion reuses the entry.
  const back = state([srv('p1', 7)], [], [rt('x.example.com', '/', 'a')]);
  assert.deepEqual(
    planRuntime(applied, back, renderHaproxy(back, settings), settings.runDir).map((c) => c.text),
    [
      'set server a/p1 addr 10.244.1.7 port 8080',
      'set server a/p1 state ready',
      'add map /run/r/maps/prefix.map x.example.com/ a',
    ],
  );
});

test('a new backend, other options, a certificate or listeners change the structure: reload', () => {
  const base = STATES.two!;
  const applied = appliedFromRendered(base, renderHaproxy(base, settings));
  const variants: [string, RouterState, HaproxySettings][] = [
    ['new backend', { ...base, backends: [...base.backends, be('c', [])] }, settings],
    [
      'other options (which name another backend)',
      {
        ...base,
        backends: base.backends.map((b) => ({
          ...b,
          name: `${b.name}_leastconn`,
          options: { balance: 'leastconn' as const },
        })),
      },
      settings,
    ],
    ['certificate', { ...base, certificates: [{ name: 'ns_tls', pem: 'PEM', sni: ['x.example.com'] }] }, settings],
    ['listeners', base, { ...settings, httpBinds: ['0.0.0.0:8080'] }],
  ];
  for (const [what, s, set] of variants) assert.equal(needsReload(applied, renderHaproxy(s, set)), true, what);
  // A backend no route uses stays in HAProxy until the next reload: removing one takes no reload,
  // and its servers are deleted so nothing health-checks pods that come and go.
  const fewer = {
    ...base,
    backends: base.backends.filter((b) => b.name === 'a'),
    routes: base.routes.filter((r) => r.backend === 'a'),
  };
  assert.equal(needsReload(applied, renderHaproxy(fewer, settings)), false, 'a backend removed');
  assert.deepEqual(
    planRuntime(applied, fewer, renderHaproxy(fewer, settings), settings.runDir).map((c) => c.text),
    ['del map /run/r/maps/prefix.map x.example.com/api/', 'set server b/q1 state maint', 'del server b/q1'],
  );
  assert.equal(needsReload(applied, renderHaproxy(STATES.moved!, settings)), false, 'endpoints and routes only');
  assert.equal(needsReload(undefined, renderHaproxy(base, settings)), true, 'nothing running yet');
});

test('a new backend with the default options takes a standby one at run time; other options wait for a reload', () => {
  const base = STATES.two!;
  const applied = appliedFromRendered(base, renderHaproxy(base, settings));
  assert.equal(applied.standby.length, standbyCount(2));
  const withC = (b: Backend): RouterState => ({
    ...base,
    backends: [...base.backends, b],
    routes: [...base.routes, rt('c.example.com', '/', b.name)],
  });
  const target = withC(be('c', [srv('r1', 5)]));
  assert.deepEqual(takeStandby(applied, target.backends), [], 'every backend servable');
  assert.equal(applied.aliases.get('c'), 'standby-1');
  const r = renderHaproxy(target, settings);
  assert.equal(needsReload(applied, r), false);
  const texts = applyAll(applied, target);
  assert.deepEqual(
    texts.map((t) => t.split(' ').slice(0, 4).join(' ')),
    [
      'add server standby-1/r1 10.244.1.5:8080',
      'enable health standby-1/r1',
      'enable dynamic-cookie backend standby-1',
      'set server standby-1/r1 state',
      'add map /run/r/maps/prefix.map c.example.com/',
    ],
  );
  assert.match(texts[4]!, / standby-1$/);
  assert.deepEqual(applyAll(applied, target), [], 'converged');

  // A read-back cannot tell which backend a standby serves: the controller's own record carries over.
  const readBack: AppliedState = {
    ...applied,
    servers: new Map(applied.servers),
    aliases: new Map(),
    standby: freeStandby(applied),
  };
  assert.equal(readBack.standby.includes('standby-1'), false, 'a standby with servers and routes is in use');
  assert.equal(readBack.standby.length, standbyCount(2) - 1);
  keepAliases(applied, readBack);
  assert.deepEqual(planRuntime(readBack, target, r, settings.runDir), [], 'nothing to redo after a read-back');
  // After a reload HAProxy has the backend's own section: the record is dropped.
  const reloaded = appliedFromRendered(target, r);
  keepAliases(applied, reloaded);
  assert.equal(reloaded.aliases.size, 0);

  // Removing it empties the standby (servers out, route gone); it stays taken until the next reload.
  assert.deepEqual(
    applyAll(applied, base).map((t) => t.split(' ').slice(0, 4).join(' ')),
    ['del map /run/r/maps/prefix.map c.example.com/', 'set server standby-1/r1 state', 'del server standby-1/r1'],
  );

  const other = appliedFromRendered(base, renderHaproxy(base, settings));
  const leastconn = { ...be('c_leastconn', []), options: { balance: 'leastconn' as const } };
  assert.equal(fitsStandby(leastconn), false);
  assert.deepEqual(takeStandby(other, [leastconn]), ['c_leastconn'], 'other options: a reload');
  assert.equal(needsReload(other, renderHaproxy(withC(leastconn), settings)), true);
  other.standby = [];
  assert.deepEqual(takeStandby(other, [be('d', [])]), ['d'], 'none left: a reload');
  assert.equal(fitsStandby({ ...be('e', []), options: { balance: 'roundrobin', responseTimeoutMs: 5000 } }), false);
});

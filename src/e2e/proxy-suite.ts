/**
 * The service proxy end to end, as a new user would check it: `podnet up
 * --nodes 3 --proxy-mode MODE`, agnhost pods on every node, Services
 * through kubectl, and real connections from pods (agnhost /dial) and
 * from the nodes. Shared by proxy-nftables.test.ts and
 * proxy-iptables.test.ts so both modes pass the same suite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLayout } from '../cluster/layout-file.js';
import { tearDown } from '../cluster/teardown.js';
import { built, cniPlugins, kubectl, needs, root } from '../testing/requirements.js';

const podnet = fileURLToPath(new URL('../../bin/podnet', import.meta.url));
const skip = needs(root, built, cniPlugins, kubectl);

function sh(argv: string[], env: Record<string, string> = {}, timeout = 60_000): { code: number | null; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

async function eventually<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const agnhost = (name: string, node: string, labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: {
    nodeName: node,
    containers: [
      { name: 'c', image: 'podnet/agnhost', args: ['netexec', '--http-port', '8080', '--udp-port', '8081'] },
    ],
  },
});

/**
 * A readinessProbe that fails while `file` exists in the container (agnhost
 * netexec has no readiness toggle); the test makes and removes it with
 * kubectl exec, so it works whether the container has a /tmp of its own.
 */
function withNotReadyFile<P extends ReturnType<typeof agnhost>>(pod: P, file: string): P {
  const c = pod.spec.containers[0]! as Record<string, unknown>;
  c.readinessProbe = {
    exec: { command: ['/bin/sh', '-c', `test ! -e ${file}`] },
    periodSeconds: 1,
    failureThreshold: 1,
    successThreshold: 1,
  };
  return pod;
}

export function proxySuite(mode: 'nftables' | 'iptables'): void {
  describe(`service proxy end to end (${mode})`, { skip, timeout: 600_000 }, () => {
    const name = `t${Math.random().toString(36).slice(2, 7).replace(/^\d/, 'x')}`;
    const dir = mkdtempSync(join(tmpdir(), 'podnet-proxy-'));
    const kc = join(dir, 'kubeconfig');
    const node = (i: number) => `${name}-node${i}`;
    const kubectl = (...args: string[]) => sh(['kubectl', ...args], { KUBECONFIG: kc });
    const onNode = (i: number, ...cmd: string[]) =>
      sh([process.execPath, podnet, 'node-exec', node(i), '--state', dir, '--', ...cmd]);
    const podIp = new Map<string, string>();
    const nodeIps: string[] = [];
    const svcIp = new Map<string, string>();
    let nodePort = 0;
    // Under --runtime process pods share the node's /tmp: the file's name carries the cluster's so runs never collide.
    const notReadyFile = `/tmp/podnet-notready-${name}-ready-2`;

    /** agnhost /dial from pod `from`: the hostnames that answered (errors as "ERR ..."). */
    const dial = (from: string, host: string, port: number, protocol: 'http' | 'udp', tries: number): string[] => {
      const url = `http://${podIp.get(from)}:8080/dial?request=hostname&host=${host}&port=${port}&protocol=${protocol}&tries=${tries}`;
      const r = onNode(1, 'curl', '-s', '-m', '20', url);
      if (r.code !== 0) return [`ERR curl ${r.code} ${r.out}`];
      try {
        const j = JSON.parse(r.out) as { responses?: string[]; errors?: string[] };
        return [...(j.responses ?? []), ...(j.errors ?? []).map((e) => `ERR ${e}`)];
      } catch {
        return [`ERR ${r.out}`];
      }
    };
    const apply = (objs: unknown[]) => {
      const f = join(dir, `m-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(f, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }));
      const r = kubectl('apply', '-f', f);
      assert.equal(r.code, 0, r.out);
    };
    const readyPodIp = (pod: string): string | undefined => {
      const r = kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.phase} {.status.podIP}');
      const [phase, ip] = r.out.trim().split(' ');
      return r.code === 0 && phase === 'Running' && ip ? ip : undefined;
    };
    const endpointsOf = (svc: string): string[] => {
      const r = kubectl(
        'get',
        'endpointslices',
        '-l',
        `kubernetes.io/service-name=${svc}`,
        '-o',
        'jsonpath={range .items[*].endpoints[*]}{.addresses[0]} {.conditions.ready}{"\\n"}{end}',
      );
      return r.out
        .trim()
        .split('\n')
        .filter((l) => l.endsWith(' true'))
        .map((l) => l.split(' ')[0]!)
        .sort();
    };

    before(async () => {
      const up = sh(
        [
          process.execPath,
          podnet,
          'up',
          '--nodes',
          '3',
          '--name',
          name,
          '--state',
          dir,
          '--proxy-mode',
          mode,
          '--timeout',
          '240',
        ],
        {},
        300_000,
      );
      assert.equal(up.code, 0, up.out);
      for (const n of readLayout(dir)!.nodes) nodeIps.push(n.ip);
      apply([
        agnhost('web-1', node(1), { app: 'web' }),
        agnhost('web-2', node(2), { app: 'web' }),
        agnhost('web-3', node(3), { app: 'web' }),
        agnhost('udp-1', node(2), { app: 'udp' }),
        agnhost('ready-1', node(2), { app: 'ready' }),
        withNotReadyFile(agnhost('ready-2', node(3), { app: 'ready' }), notReadyFile),
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'ready' },
          spec: { selector: { app: 'ready' }, ports: [{ port: 80, targetPort: 8080 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web' },
          spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'sticky' },
          spec: { selector: { app: 'web' }, sessionAffinity: 'ClientIP', ports: [{ port: 80, targetPort: 8080 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'empty' },
          spec: { selector: { app: 'nothing' }, ports: [{ port: 80 }] },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'echo' },
          spec: { selector: { app: 'udp' }, ports: [{ port: 53, targetPort: 8081, protocol: 'UDP' }] },
        },
      ]);
      for (const p of ['web-1', 'web-2', 'web-3', 'udp-1', 'ready-1', 'ready-2'])
        podIp.set(p, await eventually(`pod ${p} running`, () => readyPodIp(p), 90_000));
      for (const s of ['web', 'sticky', 'empty', 'echo', 'ready'])
        svcIp.set(s, kubectl('get', 'svc', s, '-o', 'jsonpath={.spec.clusterIP}').out.trim());
      nodePort = Number(kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}').out.trim());
      await eventually('3 ready web endpoints', () => (endpointsOf('web').length === 3 ? true : undefined), 60_000);
    });

    after(async () => {
      const layout = readLayout(dir);
      if (layout) await tearDown(layout).catch(() => undefined); // safety net; leftovers are asserted elsewhere
      rmSync(dir, { recursive: true, force: true });
      rmSync(notReadyFile, { force: true });
    });

    test('from a pod, a ClusterIP reaches the endpoints on every node, spread across them', async () => {
      const seen = new Set<string>();
      await eventually('answers from web-1, web-2 and web-3', () => {
        for (const r of dial('web-1', svcIp.get('web')!, 80, 'http', 15)) seen.add(r);
        return ['web-1', 'web-2', 'web-3'].every((h) => seen.has(h)) ? true : undefined;
      });
      assert.deepEqual(
        [...seen].filter((s) => s.startsWith('ERR')),
        [],
        'no failed connections',
      );
    });

    test('hairpin: a pod reaches itself through its Service', async () => {
      await eventually('web-1 answering web-1 through the ClusterIP', () =>
        dial('web-1', svcIp.get('web')!, 80, 'http', 15).includes('web-1') ? true : undefined,
      );
    });

    test('the node itself reaches a ClusterIP', () => {
      for (const i of [1, 2, 3]) {
        const r = onNode(i, 'curl', '-s', '-m', '5', `http://${svcIp.get('web')}/hostname`);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /^web-[123]$/);
      }
    });

    test("the NodePort answers on every node's IP from another node", () => {
      nodeIps.forEach((ip, idx) => {
        const from = ((idx + 1) % 3) + 1;
        const r = onNode(from, 'curl', '-s', '-m', '5', `http://${ip}:${nodePort}/hostname`);
        assert.equal(r.code, 0, `node${from} -> ${ip}:${nodePort}: ${r.out}`);
        assert.match(r.out, /^web-[123]$/);
      });
    });

    test('ClientIP affinity pins a client to one pod', () => {
      const answers = dial('web-2', svcIp.get('sticky')!, 80, 'http', 12);
      assert.equal(answers.length, 12, answers.join(','));
      assert.equal(new Set(answers).size, 1, `one pod for every request: ${answers.join(',')}`);
      assert.match(answers[0]!, /^web-[123]$/);
    });

    test('a Service without endpoints refuses at once (connection refused, not a timeout)', () => {
      const fromPod = dial('web-1', svcIp.get('empty')!, 80, 'http', 1);
      assert.equal(fromPod.length, 1);
      assert.match(fromPod[0]!, /connection refused/);
      const fromNode = onNode(2, 'curl', '-s', '-m', '5', `http://${svcIp.get('empty')}/`);
      assert.equal(
        fromNode.code,
        7,
        `curl exit 7 is "couldn't connect" (refused); 28 would be a timeout: ${fromNode.out}`,
      );
    });

    test('a pod that loses the selector label gets no new connections', async () => {
      assert.equal(kubectl('label', 'pod', 'web-3', 'app-').code, 0);
      try {
        await eventually('web-3 gone from the answers', () => {
          const a = dial('web-1', svcIp.get('web')!, 80, 'http', 20);
          return a.length === 20 && !a.includes('web-3') && !a.some((x) => x.startsWith('ERR')) ? true : undefined;
        });
      } finally {
        kubectl('label', 'pod', 'web-3', 'app=web');
      }
      await eventually('web-3 back', () =>
        dial('web-1', svcIp.get('web')!, 80, 'http', 20).includes('web-3') ? true : undefined,
      );
    });

    test('a pod that turns NotReady (its readinessProbe starts failing) gets no new connections', async () => {
      const svc = svcIp.get('ready')!;
      await eventually(
        'ready-1 and ready-2 both answering',
        () => {
          const a = dial('web-1', svc, 80, 'http', 20);
          return a.includes('ready-1') && a.includes('ready-2') ? true : undefined;
        },
        60_000,
      );
      const inReady2 = (...cmd: string[]) => {
        const r = kubectl('exec', 'ready-2', '--', ...cmd);
        assert.equal(r.code, 0, r.out);
      };
      inReady2('touch', notReadyFile);
      try {
        await eventually('ready-2 gone from the answers', () => {
          const a = dial('web-1', svc, 80, 'http', 20);
          return a.length === 20 && a.every((x) => x === 'ready-1') ? true : undefined;
        });
        // Still running, only not Ready: the pod itself answers on its own IP.
        assert.equal(readyPodIp('ready-2'), podIp.get('ready-2'));
      } finally {
        inReady2('rm', '-f', notReadyFile);
      }
      await eventually(
        'ready-2 back once its probe passes again',
        () => (dial('web-1', svc, 80, 'http', 20).includes('ready-2') ? true : undefined),
        60_000,
      );
    });

    test('a UDP Service keeps answering after its only endpoint is replaced', async () => {
      const echo = svcIp.get('echo')!;
      await eventually('udp-1 answering', () =>
        dial('web-1', echo, 53, 'udp', 3).includes('udp-1') ? true : undefined,
      );
      apply([agnhost('udp-2', node(3), { app: 'udp' })]);
      podIp.set('udp-2', await eventually('udp-2 running', () => readyPodIp('udp-2'), 90_000));
      assert.equal(kubectl('delete', 'pod', 'udp-1', '--wait=false').code, 0);
      await eventually(
        'only udp-2 as endpoint',
        () => (endpointsOf('echo').join() === podIp.get('udp-2') ? true : undefined),
        60_000,
      );
      // The same client (web-1, same source port reuse by agnhost aside) must reach the new endpoint.
      await eventually('udp-2 answering through the ClusterIP', () => {
        const a = dial('web-1', echo, 53, 'udp', 3);
        return a.length === 3 && a.every((x) => x === 'udp-2') ? true : undefined;
      });
    });
  });
}

/**
 * Into the pods, as a user does it with the kubectl on this machine: exec
 * (interactive in tmux, and with output, exit code and stdin), logs, attach,
 * port-forward to a pod and a Service, cp both ways, over the default
 * WebSocket protocols and over SPDY (forced by kubectl's environment
 * switches); kube's errors; a node's streaming endpoint refusing anyone but
 * the API server; nothing left behind by a client that vanished.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installed, needs, root, built, cniPlugins, kubectl } from '../testing/requirements.js';
import { eventually, sh, TestCluster } from './cluster.js';

const skip = needs(
  root,
  built,
  cniPlugins,
  kubectl,
  installed('/usr/bin/tmux', 'tmux'),
  installed('/usr/bin/socat', 'socat'),
);
const SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };
const PROTOCOLS: [string, Record<string, string>][] = [
  ['WebSocket', {}],
  ['SPDY', SPDY],
];

describe('streaming: exec, attach, logs, port-forward, cp', { skip, timeout: 600_000 }, () => {
  const c = new TestCluster(2, 'vxlan');
  const kube = (args: string[], env: Record<string, string> = {}, input?: string) =>
    sh(['kubectl', ...args], {
      env: { KUBECONFIG: c.kubeconfig, ...env },
      timeoutMs: 60_000,
      ...(input !== undefined ? { input } : {}),
    });
  // A tmux server of this test's own; a session that never ends keeps it up between the others.
  const tmuxArgv = (...args: string[]) => ['tmux', '-L', `podnet-${c.name}`, '-f', '/dev/null', ...args];
  let tmuxCount = 0;

  before(() => {
    c.up();
    const n1 = c.node(1),
      n2 = c.node(2);
    c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  nodeName: ${n1}
  containers:
  - {name: web, image: podnet/agnhost, args: [netexec, --http-port=8080]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: shell}
spec:
  nodeName: ${n2}
  containers:
  - {name: sh, image: podnet/agnhost, command: [/bin/sh], stdin: true, tty: true}
---
apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  nodeName: ${n2}
  restartPolicy: Never
  containers:
  - name: r
    image: podnet/agnhost
    command: [/bin/sh, -c, 'while read l; do echo got-$l; done; echo bye']
    stdin: true
    stdinOnce: true
---
apiVersion: v1
kind: Pod
metadata: {name: ticker}
spec:
  nodeName: ${n2}
  containers:
  - name: t
    image: podnet/agnhost
    command: [/bin/sh, -c, 'echo start-$(date +%s%N); i=0; while [ $i -lt 6 ]; do i=$((i+1)); echo tick-$i; echo warn-$i >&2; sleep 1; done; exit 3']
`);
    c.waitReady(['web', 'shell', 'reader', 'ticker'], 90);
    const keeper = sh(tmuxArgv('new-session', '-d', '-s', 'keeper', 'sleep 100000'));
    assert.equal(keeper.code, 0, keeper.out);
  });

  after(async () => {
    sh(tmuxArgv('kill-server'));
    await c.destroy();
  });

  /** Starts a command in a detached tmux session of a known size; returns the session name. */
  const tmux = (cmd: string): string => {
    const name = `s${tmuxCount++}`;
    const r = sh(
      tmuxArgv('new-session', '-d', '-s', name, '-x', '120', '-y', '30', `KUBECONFIG=${c.kubeconfig} ${cmd}`),
    );
    assert.equal(r.code, 0, r.out);
    return name;
  };
  const pane = (s: string) => sh(tmuxArgv('capture-pane', '-p', '-t', s)).stdout;
  const keys = (s: string, text: string) => sh(tmuxArgv('send-keys', '-t', s, text, 'Enter'));

  for (const [proto, env] of PROTOCOLS) {
    test(`${proto}: kubectl exec -it is an interactive shell on a pod of another node (tmux)`, async () => {
      const prefix = Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      for (const pod of ['shell', 'web']) {
        const s = tmux(`${prefix} kubectl exec -it ${pod} -- sh`);
        await eventually('a prompt', () => /[#$] ?$/m.test(pane(s)), 20_000);
        keys(s, 'hostname; stty size; echo done-$((40+2))');
        const seen = await eventually('the output', () => (/done-42/.test(pane(s)) ? pane(s) : false), 20_000);
        assert.match(seen, new RegExp(`^${pod}\\r?$`, 'm'), `hostname is the pod's:\n${seen}`);
        assert.match(seen, /^30 120\r?$/m, `the terminal has the client's size:\n${seen}`);
        keys(s, 'exit');
      }
    });

    test(`${proto}: kubectl exec returns output, stderr apart, and the exit code`, () => {
      const r = spawnSync('kubectl', ['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], {
        env: { ...process.env, KUBECONFIG: c.kubeconfig, ...env },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(r.status, 3, `${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, 'out\n');
      assert.match(r.stderr, /^err$/m);
      assert.match(r.stderr, /command terminated with exit code 3/);
      assert.equal(kube(['exec', 'shell', '--', 'hostname'], env).stdout, 'shell\n');
    });

    test(`${proto}: stdin reaches the command and its end ends it (echo hi | kubectl exec -i)`, () => {
      const r = kube(['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo eof'], env, 'hi\nthere\n');
      assert.equal(r.code, 0, r.out);
      assert.equal(r.stdout, 'hi\nthere\neof\n');
    });

    test(`${proto}: kubectl cp copies a file in and out (tar over exec)`, () => {
      const id = randomBytes(4).toString('hex');
      const local = join(tmpdir(), `podnet-cp-${id}.bin`);
      const back = join(tmpdir(), `podnet-cp-${id}.back`);
      // Pods share the node's filesystem today, so the pod path is on this machine too: unique and removed.
      const remote = `/tmp/podnet-cp-remote-${id}.bin`;
      const data = randomBytes(300_000);
      writeFileSync(local, data);
      try {
        const inR = kube(['cp', local, `web:${remote}`], env);
        assert.equal(inR.code, 0, inR.out);
        assert.equal(kube(['exec', 'web', '--', 'sha256sum', remote]).stdout.split(' ')[0], sha256(data));
        const outR = kube(['cp', `web:${remote}`, back], env);
        assert.equal(outR.code, 0, outR.out);
        assert.ok(readFileSync(back).equals(data), 'the copy back is byte-equal');
      } finally {
        for (const f of [local, back, remote]) rmSync(f, { force: true });
      }
    });

    test(`${proto}: port-forward to a pod and to a Service carries several connections at once`, async () => {
      for (const target of ['pod/web', 'svc/web']) {
        const port = 29000 + Math.floor(Math.random() * 900);
        const remote = target === 'pod/web' ? '8080' : '80';
        const pf = spawn('kubectl', ['port-forward', target, `${port}:${remote}`], {
          env: { ...process.env, KUBECONFIG: c.kubeconfig, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        pf.stdout.on('data', (b: Buffer) => (out += b.toString()));
        pf.stderr.on('data', (b: Buffer) => (out += b.toString()));
        try {
          await eventually('Forwarding from', () => out.includes('Forwarding from 127.0.0.1'), 20_000);
          const replies = await Promise.all(
            Array.from({ length: 6 }, (_, i) =>
              fetch(`http://127.0.0.1:${port}/echo?msg=conn${i}`).then((r) => r.text()),
            ),
          );
          assert.deepEqual(
            replies,
            Array.from({ length: 6 }, (_, i) => `conn${i}`),
            out,
          );
        } finally {
          pf.kill();
        }
      }
    });
  }

  test('kubectl logs: --tail, --timestamps, stdout and stderr, -f to the end of the attempt, --previous', async () => {
    const tail = kube(['logs', 'ticker', '--tail=2']);
    assert.equal(tail.code, 0, tail.out);
    assert.equal(tail.stdout.split('\n').filter(Boolean).length, 2, tail.stdout);
    const ts = kube(['logs', 'ticker', '--timestamps', '--tail=1']).stdout;
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (tick|warn)-\d+\n$/);
    const all = kube(['logs', 'ticker']).stdout;
    assert.match(all, /^start-\d+\n/);
    assert.ok(all.includes('tick-1\n') && all.includes('warn-1\n'), all);

    // -f on a running attempt follows it to its exit, and only it: the restart writes another file.
    await eventually(
      'ticker running',
      () => c.jsonpath('ticker', '{.status.containerStatuses[0].state.running.startedAt}') !== '',
      90_000,
    );
    const followed = kube(['logs', 'ticker', '-f']);
    assert.equal(followed.code, 0, followed.out);
    assert.equal((followed.stdout.match(/start-/g) ?? []).length, 1, followed.stdout);
    assert.ok(followed.stdout.includes('tick-6\n') && followed.stdout.includes('warn-6\n'), followed.stdout);

    const previous = await eventually(
      'a previous attempt',
      () => {
        const r = kube(['logs', 'ticker', '--previous']);
        return r.code === 0 ? r.stdout : false;
      },
      60_000,
    );
    assert.match(previous, /^start-\d+\n/);
    assert.ok(previous.includes('tick-6\n') && previous.includes('warn-6\n'), previous);

    const never = kube(['logs', 'web', '--previous']);
    assert.notEqual(never.code, 0);
    assert.match(never.out, /previous terminated container "web" in pod "web" not found/);
  });

  test('kubectl attach: a tty container in tmux, and stdin with stdinOnce', async () => {
    const s = tmux('kubectl attach -it shell');
    await eventually('attached', () => pane(s).includes("If you don't see a command prompt"), 20_000);
    keys(s, 'echo attached-$((6*7))');
    await eventually('the container answers', () => /^attached-42\r?$/m.test(pane(s)), 20_000);

    const r = kube(['attach', '-i', 'reader'], {}, 'one\ntwo\n');
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /got-one\ngot-two\nbye\n/);
  });

  test('attach and exec still work after the node agent restarted (the shim owns the stdio)', async () => {
    const restartsBefore = c.jsonpath('shell', '{.status.containerStatuses[0].restartCount}');
    await c.killAgent(2);
    c.upAgain();
    const s = await eventually(
      'attached through the new agent',
      () => {
        const name = tmux('kubectl attach -it shell');
        const ok = eventuallySync(() => pane(name).includes("If you don't see a command prompt"), 5000);
        if (!ok) sh(tmuxArgv('kill-session', '-t', name));
        return ok ? name : false;
      },
      60_000,
    );
    keys(s, 'echo again-$((7*6))');
    await eventually(
      'the same container answers',
      () => /^again-42\r?$/m.test(pane(s)) || sh(tmuxArgv('has-session', '-t', s)).code !== 0,
      20_000,
    );
    const shown = pane(s);
    assert.match(
      shown,
      /^again-42\r?$/m,
      `the attach session shows:\n${shown}\npod shell: ${c.k(['get', 'pod', 'shell', '-o', 'jsonpath={.status.containerStatuses}'])}`,
    );
    assert.equal(c.jsonpath('shell', '{.status.containerStatuses[0].restartCount}'), restartsBefore);
    assert.equal(kube(['exec', 'shell', '--', 'hostname']).stdout, 'shell\n');
  });

  test("kube's errors", () => {
    const notValid = kube(['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.match(notValid.out, /container nope is not valid for pod web/);
    const noPod = kube(['exec', 'nopod', '--', 'true']);
    assert.match(noPod.out, /pods "nopod" not found/);
    const reader = kube(['exec', 'reader', '--', 'true']);
    // The reader pod ran to completion: kubectl refuses itself, as against any cluster.
    assert.match(reader.out, /cannot exec into a container in a completed pod|container not found \("r"\)/);
    const invalid = sh(
      [
        'curl',
        '-sk',
        '-H',
        `Authorization: Bearer ${adminToken(c)}`,
        `${server(c)}/api/v1/namespaces/default/pods/web/log?tailLines=-1`,
      ],
      {},
    );
    assert.match(
      invalid.stdout,
      /PodLogOptions \\?"web\\?" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0/,
    );
    const anonymous = sh(['curl', '-sk', `${server(c)}/api/v1/namespaces/default/pods/web/log`]);
    assert.match(anonymous.stdout, /Unauthorized/);
  });

  test("a node's streaming endpoint takes only the API server", () => {
    const node1 = c.layout.nodes[0]!;
    const url = `https://${node1.ip}:10250/healthz`;
    const ca = join(c.dir, 'pki', 'ca.crt');
    // From another node's netns (where pods' traffic comes from too): no client certificate.
    assert.notEqual(c.exec(2, ['curl', '-s', '--cacert', ca, '--max-time', '5', url]).code, 0);
    // Another node's own certificate is from the same CA but is not the API server's.
    const n2 = join(c.dir, 'nodes', c.node(2), 'pki');
    const other = c.exec(2, ['curl', '-s', '--cacert', ca, '--cert', `${n2}/node.crt`, '--key', `${n2}/node.key`, url]);
    assert.ok(other.code !== 0 || other.stdout !== 'ok', other.out);
    const pki = join(c.dir, 'pki');
    const api = c.exec(2, [
      'curl',
      '-s',
      '--cacert',
      ca,
      '--cert',
      `${pki}/apiserver-kubelet-client.crt`,
      '--key',
      `${pki}/apiserver-kubelet-client.key`,
      url,
    ]);
    assert.equal(api.stdout, 'ok', api.out);
  });

  test('a client that vanishes leaves no process and no connection behind', async () => {
    const marker = String(5000 + Math.floor(Math.random() * 4000));
    const exec = spawn('kubectl', ['exec', 'web', '--', 'sleep', marker], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig },
      stdio: 'ignore',
    });
    await eventually('the exec runs', () => pgrep(`^sleep ${marker}$`), 20_000);
    exec.kill('SIGKILL');
    await eventually('the exec is gone', () => !pgrep(`^sleep ${marker}$`), 20_000);

    const port = 29900 + Math.floor(Math.random() * 90);
    const pf = spawn('kubectl', ['port-forward', 'pod/web', `${port}:8080`], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    pf.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await eventually('forwarding', () => out.includes('Forwarding from'), 20_000);
    // A connection held open, then the client dies under it.
    const held = connect(port, '127.0.0.1');
    held.on('error', () => held.destroy());
    await eventually('a connection into the pod', () => podConnectionsTo(kube, 8080) > 0, 20_000);
    pf.kill('SIGKILL');
    await eventually('the connection is gone', () => podConnectionsTo(kube, 8080) === 0, 20_000);
    held.destroy();
  });
});

/** Polls a synchronous check (tmux's pane) for up to ms. */
function eventuallySync(check: () => boolean, ms: number): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    spawnSync('sleep', ['0.2']);
  }
  return false;
}

/** Established connections to the web pod's 127.0.0.1:port (IPv4 or v4-mapped), from its own /proc/net. */
function podConnectionsTo(kube: (args: string[]) => { stdout: string }, port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const table = kube(['exec', 'web', '--', 'cat', '/proc/net/tcp', '/proc/net/tcp6']).stdout;
  return table.split('\n').filter((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(local) && f[3] === '01';
  }).length;
}

function pgrep(pattern: string): boolean {
  return sh(['pgrep', '-f', pattern]).code === 0;
}

function sha256(b: Buffer): string {
  return spawnSync('sha256sum', { input: b, encoding: 'utf8' }).stdout.split(' ')[0]!;
}

function server(c: TestCluster): string {
  return `https://${c.layout.hostIp}:${c.layout.apiserverPort}`;
}

function adminToken(c: TestCluster): string {
  return (JSON.parse(readFileSync(join(c.dir, 'tokens.json'), 'utf8')) as { admin: string }).admin;
}

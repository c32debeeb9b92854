/**
 * The web console against `podnet up --nodes 2`, in Debian's chromium driven
 * by playwright-core: a request without a token is refused; the page shows
 * nothing before a valid token; after logging in with the admin token it
 * shows the nodes and pods live, opens a terminal into a pod on the other
 * node where `hostname` prints the pod's name, follows a log, and draws the
 * network picture, which follows a new pod. Screenshots go to a temp dir
 * (its path is printed).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { built, cniPlugins, installed, kubectl, needs, root } from '../testing/requirements.js';
import { eventually, TestCluster } from './cluster.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = needs(root, built, cniPlugins, kubectl, installed(CHROMIUM, 'chromium'));

describe('web console', { skip, timeout: 600_000 }, () => {
  const c = new TestCluster(2, 'vxlan');
  const shots = mkdtempSync(join(tmpdir(), 'podnet-console-screenshots-'));
  let url = '';
  let token = '';
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    const out = c.up();
    const m = /^console: (http:\/\/\S+\/)/m.exec(out);
    assert.ok(m, `podnet up printed no console address:\n${out}`);
    url = m[1]!;
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
metadata:
  name: web
  annotations: {podnet.io/dns-names: shop.mall, podnet.io/routes: shop.example.com}
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
  - {name: sh, image: podnet/agnhost, command: [/bin/sh, -c, 'i=0; while true; do i=$((i+1)); echo tick-$i; sleep 1; done']}
`);
    c.waitReady(['web', 'shell'], 90);
    token = c.k(['config', 'view', '--raw', '--minify', '-o', 'jsonpath={.users[0].user.token}']);
    assert.ok(token, 'the kubeconfig has no admin token');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // What the page itself reports, for a failure's diagnosis.
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`page ${m.type()}: ${m.text()}`);
    });
    console.log(`console ${url}; screenshots in ${shots}`);
  });

  after(async () => {
    await browser?.close();
    await c.destroy();
    console.log(`screenshots in ${shots}`);
  });

  test('a request without a token, or with a wrong one, is refused', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
      const r = await fetch(`${url}api/v1/pods`, { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      await r.arrayBuffer();
    }
    const wsUrl = `${url.replace('http', 'ws')}api/v1/namespaces/default/pods/shell/exec?command=sh&stdin=true&tty=true`;
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, ['v5.channel.k8s.io']);
      ws.on('unexpected-response', (_q, res) => resolve(res.statusCode!));
      ws.on('open', () => reject(new Error('a terminal opened without a token')));
      ws.on('error', () => undefined); // the refusal above is the answer
    });
    assert.equal(status, 401);
  });

  test('nothing is shown before a valid token', async () => {
    await page.goto(url);
    assert.equal(await page.locator('#app').isHidden(), true);
    await page.fill('#token', 'not-a-token');
    await page.click('#login-button');
    await page.waitForFunction(() => /Not logged in/.test(document.getElementById('login-error')?.textContent ?? ''));
    assert.equal(await page.locator('#app').isHidden(), true);
    assert.doesNotMatch(await page.content(), new RegExp(c.node(1)));
  });

  test('logged in with the admin token: nodes and pods, live', async () => {
    await page.fill('#token', token);
    await page.click('#login-button');
    await page.locator('#nodes-table').getByText(c.node(2), { exact: true }).waitFor();
    await page.locator('#pods-table').getByText('shell', { exact: true }).waitFor();
    const nodes = await page.locator('#nodes-table').innerText();
    assert.match(nodes, new RegExp(`${c.node(1)}\\s+Ready`));
    assert.match(nodes, /10\.244\.\d+\.0\/24/);
    await page.screenshot({ path: join(shots, '1-nodes-and-pods.png'), fullPage: true });
  });

  test('a terminal into a pod on the other node: hostname is the pod name', async () => {
    await page.click('button[data-action="terminal"][data-pod="default/shell"]');
    const rows = page.locator('#terminal .xterm-rows');
    await rows.waitFor();
    const screen = async () => (await rows.innerText()).replace(/\u00a0/g, ' ');
    await eventually('a prompt', async () => /[#$] *$/m.test(await screen()), 20_000);
    await page.locator('#terminal .xterm-helper-textarea').focus();
    await page.keyboard.type('hostname; stty size');
    await page.keyboard.press('Enter');
    // Both answers: the screen can show the hostname before stty has printed.
    const text = await eventually(
      'the pod name and the terminal size on the terminal',
      async () => {
        const s = await screen();
        return s.split('\n').some((l) => l.trim() === 'shell') && /^\d+ \d+\s*$/m.test(s) ? s : false;
      },
      20_000,
    );
    // The terminal's size reached the pty (resize on the channel).
    const size = /^(\d+) (\d+)\s*$/m.exec(text);
    assert.ok(size && Number(size[1]) >= 5 && Number(size[2]) >= 20, `stty size:\n${text}`);
    await page.screenshot({ path: join(shots, '2-terminal.png') });
    await page.click('#dock-close');
  });

  test('a live log, followed', async () => {
    await page.click('button[data-action="logs"][data-pod="default/shell"]');
    const log = page.locator('#log');
    const first = await eventually('log lines', async () => {
      const m = [...(await log.innerText()).matchAll(/tick-(\d+)/g)];
      return m.length ? Number(m.at(-1)![1]) : false;
    });
    await eventually('newer lines as they are written', async () =>
      (await log.innerText()).includes(`tick-${first + 2}`),
    );
    await page.screenshot({ path: join(shots, '3-log.png') });
    await page.click('#dock-close');
  });

  test('the network picture: nodes, subnets, tunnel, Service to pods; follows a new pod', async () => {
    await page.click('[data-tab="network"]');
    const svg = page.locator('#network-picture svg');
    await svg.waitFor();
    for (const sel of [
      `[data-node="${c.node(1)}"]`,
      `[data-node="${c.node(2)}"]`,
      '[data-pod="default/shell"]',
      '[data-service="default/web"]',
      '.tunnel',
    ])
      await page.locator(`#network-picture ${sel}`).first().waitFor();
    await page.locator('#network-picture path.link[data-from="default/web"][data-to="default/web"]').waitFor();
    const text = await svg.innerHTML();
    assert.match(text, /dns shop\.mall/);
    assert.match(text, /route shop\.example\.com\//);
    assert.match(text, /web\.default\.svc\.cluster\.local/);
    await page.screenshot({ path: join(shots, '4-network.png'), fullPage: true });

    c.apply(`
apiVersion: v1
kind: Pod
metadata: {name: late, labels: {app: web}}
spec:
  nodeName: ${c.node(2)}
  containers:
  - {name: web, image: podnet/agnhost, args: [netexec, --http-port=8080]}
`);
    await page
      .locator('#network-picture path.link[data-from="default/web"][data-to="default/late"]')
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(shots, '5-network-updated.png'), fullPage: true });
  });
});

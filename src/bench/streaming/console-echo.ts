/**
 * Keystroke echo through the web console: the bytes the console's page
 * sends and receives (src/console/web/channel.ts) on a WebSocket to
 * `podnet console`, which relays to the API server's pods/exec with the
 * admin token, to `cat` on a tty in the pod. The browser's own rendering is
 * not in the figure; the path through the console is.
 */
import { WebSocket } from 'ws';
import { TokenAuthenticator } from '../../apiserver/state/tokens.js';
import { bearerProtocol, execPath, parseFrame, stdinFrame, TERMINAL_PROTOCOLS } from '../../console/web/channel.js';
import { summarize, type Summary } from '../apiserver/stats.js';
import type { Cluster } from '../pods/cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function consoleEchoLatency(c: Cluster, pod: string, container: string, keys: number): Promise<Summary> {
  const { hostIp, consolePort } = c.layout;
  if (!consolePort) throw new Error('podnet up recorded no console port');
  const token = TokenAuthenticator.load(c.stateDir).adminToken;
  const url = `ws://${hostIp}:${consolePort}${execPath('default', pod, container, ['cat'])}`;
  const ws = new WebSocket(url, [...TERMINAL_PROTOCOLS, bearerProtocol(token)]);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) =>
      reject(new Error(`the console refused the terminal: ${res.statusCode}`)),
    );
  });
  let seen = 0;
  let waiter: (() => void) | undefined;
  ws.on('message', (data: Buffer) => {
    const f = parseFrame(data);
    if (f && f.channel === 1) for (const ch of f.payload) if (ch === 0x78) seen++; // 'x'
    waiter?.();
  });
  const until = (n: number, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (seen >= n) return resolve(true);
      const t = setTimeout(() => {
        waiter = undefined;
        resolve(false);
      }, ms);
      waiter = () => {
        if (seen < n) return;
        clearTimeout(t);
        waiter = undefined;
        resolve(true);
      };
    });
  let warm = false;
  for (let i = 0; i < 50 && !warm; i++) {
    ws.send(stdinFrame('x'));
    warm = await until(seen + 1, 200);
  }
  if (!warm) throw new Error('the console terminal never echoed a key');
  await sleep(300);
  const samples: number[] = [];
  for (let i = 0; i < keys; i++) {
    if (i % 100 === 99) {
      ws.send(stdinFrame('\x15')); // Ctrl-U: the line stays short
      await sleep(50);
    }
    const before = seen;
    const t0 = performance.now();
    ws.send(stdinFrame('x'));
    if (!(await until(before + 1, 5000))) throw new Error(`key ${i} was not echoed through the console`);
    samples.push(performance.now() - t0);
    await sleep(10);
  }
  ws.close();
  return summarize(samples);
}

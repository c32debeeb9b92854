import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PromptCounter, runCommands } from './runtime-api.js';

/** A stand-in for HAProxy's admin socket in interactive mode, writing its output `chunk` bytes at a time. */
async function fakeAdminSocket(chunk: number): Promise<{ path: string; server: Server; done: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-runtime-api-'));
  const path = join(dir, 'admin.sock');
  const server = createServer((sock) => {
    let input = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      input += d;
      if (!input.endsWith('\n')) return;
      const [first, ...commands] = input.trimEnd().split('\n');
      assert.equal(first, 'prompt');
      const out = '\n> ' + commands.map((c) => `${c.toUpperCase()}\n\n> `).join('');
      for (let i = 0; i < out.length; i += chunk) sock.write(out.slice(i, i + chunk));
    });
    sock.on('error', () => undefined); // the client closes as soon as it has every reply
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server, done: () => (server.close(), rmSync(dir, { recursive: true, force: true })) };
}

test('PromptCounter counts each prompt once however the text arrives', () => {
  const whole = '\n> SHOW INFO\n\n> \n> x\n> ';
  for (const cuts of [[], [1], [2], [1, 2, 3], [4, 14, 15], [...Array(whole.length).keys()].slice(1)]) {
    const counter = new PromptCounter();
    let start = 0;
    for (const end of [...cuts, whole.length]) {
      counter.push(whole.slice(start, end));
      start = end;
    }
    assert.equal(counter.prompts, 4, `cut at ${cuts.join(',')}`);
  }
});

test('runCommands: one reply per command, whatever the chunking', async () => {
  for (const chunk of [1, 2, 3, 7, 65536]) {
    const s = await fakeAdminSocket(chunk);
    try {
      assert.deepEqual(await runCommands(s.path, ['show info', 'add map x y', 'del server b/s1']), [
        'SHOW INFO',
        'ADD MAP X Y',
        'DEL SERVER B/S1',
      ]);
    } finally {
      s.done();
    }
  }
});

test('runCommands: 20,000 commands in one exchange', async () => {
  const s = await fakeAdminSocket(4096);
  try {
    const commands = Array.from({ length: 20_000 }, (_, i) => `add map m k${i} v${i}`);
    const replies = await runCommands(s.path, commands);
    assert.equal(replies.length, commands.length);
    assert.equal(replies[19_999], 'ADD MAP M K19999 V19999');
  } finally {
    s.done();
  }
});

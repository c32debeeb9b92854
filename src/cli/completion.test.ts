import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { COMMANDS } from './commands.js';
import { bashCompletion } from './completion.js';

/** What bash's completion offers for a command line ending at its last word. */
function complete(line: string): string[] {
  const words = line.split(' ');
  const script = `${bashCompletion(COMMANDS)}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_podnet
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '-c', script], { encoding: 'utf8', cwd: '/' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash completion: commands, flags, choices, directories, the command after --', () => {
  assert.deepEqual(complete('podnet u'), ['up', 'user-kubeconfig']);
  assert.deepEqual(complete('podnet node'), ['node', 'node-cert', 'node-exec', 'node-token']);
  assert.deepEqual(complete('podnet up --ba'), ['--backend']);
  assert.deepEqual(complete('podnet up --backend '), ['host-gw', 'vxlan']);
  assert.deepEqual(complete('podnet dns --pod-records v'), ['verified']);
  assert.deepEqual(complete('podnet completion '), ['--help', 'bash', 'zsh']);
  assert.deepEqual(complete('podnet up --nodes '), [], 'a number: nothing to offer');
  assert.ok(complete('podnet down --state /e').includes('/etc'));
  assert.ok(complete('podnet node-exec n1 -- ech').includes('echo'));
  assert.deepEqual(complete('podnet help do'), ['doctor', 'down']);
});

/** The zsh completion loads in a real zsh (needs zsh) and registers itself for podnet. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { installed, needs } from '../testing/requirements.js';
import { COMMANDS } from './commands.js';
import { zshCompletion } from './completion.js';

test('zsh completion: valid zsh, registered with compdef', { skip: needs(installed('/usr/bin/zsh', 'zsh')) }, () => {
  const script = zshCompletion(COMMANDS);
  const syntax = spawnSync('zsh', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  const r = spawnSync(
    'zsh',
    ['-f', '-c', `autoload -U compinit && compinit -u -D && eval "$(cat)" && print -r -- $_comps[podnet]`],
    { input: script, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '_podnet');
});

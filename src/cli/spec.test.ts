import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS, up } from './commands.js';
import { CliError } from './errors.js';
import { parseCommand, renderHelp } from './spec.js';

const podnet = fileURLToPath(new URL('../../bin/podnet', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [podnet, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('parseCommand: values, defaults, and each kind of mistake as a CliError', () => {
  const ok = parseCommand(up, ['--nodes', '3', '--backend=host-gw']);
  assert.equal(ok.values.nodes, '3');
  assert.equal(ok.values.backend, 'host-gw');
  assert.equal(ok.values.timeout, '180', 'the default applies');
  const bad: [string[], RegExp][] = [
    [['--bogus'], /^unknown flag --bogus; see "podnet up --help"$/],
    [['--nodes'], /^--nodes needs a value/],
    [['--backend', 'udp'], /^--backend udp: must be one of vxlan, host-gw$/],
    [['extra'], /^takes no arguments \(got "extra"\)/],
  ];
  for (const [args, want] of bad) {
    assert.throws(
      () => parseCommand(up, args),
      (e: unknown) => e instanceof CliError && want.test(e.message),
      args.join(' '),
    );
  }
});

test('every command has help that lists each flag with its default', () => {
  for (const c of COMMANDS) {
    const help = renderHelp(c);
    assert.match(help, new RegExp(`^  podnet ${c.name}( |$)`, 'm'), c.name);
    assert.match(help, /^Exit status:/m, c.name);
    const flat = help.replace(/\s+/g, ' ');
    for (const [name, f] of Object.entries(c.flags)) {
      assert.ok(flat.includes(`--${name}`), `${c.name} --${name}`);
      const dflt = f.defaultText ?? (typeof f.default === 'string' ? f.default : undefined);
      if (dflt) assert.ok(flat.includes(`(default ${dflt})`), `${c.name} --${name}: default ${dflt}`);
    }
  }
});

test('the podnet command: --help, --version, exit status 2 for bad usage', () => {
  const help = run('up', '--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--cluster-cidr CIDR/);
  assert.match(help.stdout, /\(default 180\)/);
  assert.equal(run('node-exec', 'n1', '--', 'ls', '--help').code, 2, '--help after -- belongs to the command');
  const version = run('--version');
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^podnet \d+\.\d+\.\d+/);
  const global = run('help');
  for (const c of COMMANDS) assert.match(global.stdout, new RegExp(`^  ${c.name} `, 'm'));
  for (const args of [['up', '--bogus'], ['bogus'], ['--bogus'], ['help', 'bogus'], ['completion', 'fish']]) {
    const r = run(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /^podnet( [a-z-]+)?: .+\n$/, r.stderr);
  }
  assert.match(run('up', '--bogus').stderr, /^podnet up: unknown flag --bogus; see "podnet up --help"/);
});

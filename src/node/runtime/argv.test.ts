import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HOLDER_SCRIPT, holderArgv } from './holder.js';
import { containerEnv, shimArgv, shimBinary } from './shim.js';

describe('holder argv', () => {
  test('pod with its own netns: UTS, IPC, mount namespaces and a fresh /sys', () => {
    assert.deepEqual(
      holderArgv({
        netns: 'podnet-n1-abc',
        hostname: 'web-1',
        resolvConf: '/s/r',
        hosts: '/s/h',
        readyFile: '/s/ready',
        freshSysfs: true,
        loopbackUp: true,
      }),
      [
        'nsenter',
        '--net=/run/netns/podnet-n1-abc',
        '--',
        'unshare',
        '--uts',
        '--ipc',
        '--mount',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        '-c',
        HOLDER_SCRIPT,
        'holder',
        'web-1',
        '/s/r',
        '/s/h',
        '/s/ready',
        'sysfs',
        '',
        'lo',
      ],
    );
  });
  test('hostNetwork pod: node netns and UTS, own mounts', () => {
    assert.deepEqual(
      holderArgv({ hostname: undefined, resolvConf: '/s/r', hosts: '/s/h', readyFile: '/s/ready', freshSysfs: false }),
      [
        'unshare',
        '--ipc',
        '--mount',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        '-c',
        HOLDER_SCRIPT,
        'holder',
        '',
        '/s/r',
        '/s/h',
        '/s/ready',
        '',
        '',
        '',
      ],
    );
  });
  test('shareProcessNamespace: a PID namespace whose PID 1 is podnet-shim pause', () => {
    const argv = holderArgv({
      hostname: 'p',
      resolvConf: '/s/r',
      hosts: '/s/h',
      readyFile: '/s/ready',
      freshSysfs: true,
      sharedPidInit: '/b/podnet-shim',
    });
    assert.deepEqual(argv.slice(0, 9), [
      'unshare',
      '--uts',
      '--ipc',
      '--mount',
      '--propagation',
      'private',
      '--pid',
      '--fork',
      '--kill-child',
    ]);
    assert.equal(argv.at(-2), '/b/podnet-shim');
  });
});

describe('shim argv and env', () => {
  test('enters the holder, passes env through env -i', () => {
    assert.deepEqual(
      shimArgv({
        holderPid: 77,
        dir: '/c',
        workingDir: '/app',
        env: { A: '1', B: 'x y' },
        argv: ['/bin/echo', 'hi'],
        stdin: true,
        tty: true,
      }),
      [
        'nsenter',
        '-t',
        '77',
        '-n',
        '-u',
        '-i',
        '-m',
        '--',
        shimBinary(),
        'run',
        '/c',
        '-i',
        '-t',
        '-w',
        '/app',
        '--',
        '/usr/bin/env',
        '-i',
        '--',
        'A=1',
        'B=x y',
        '/bin/echo',
        'hi',
      ],
    );
  });
  const bad: [string, Parameters<typeof shimArgv>[0], RegExp][] = [
    ['relative command', { holderPid: 1, dir: '/c', env: {}, argv: ['echo'] }, /absolute path/],
    ['empty argv', { holderPid: 1, dir: '/c', env: {}, argv: [] }, /absolute path/],
    ['= in command', { holderPid: 1, dir: '/c', env: {}, argv: ['/a=b'] }, /contains '='/],
    [
      'relative workingDir',
      { holderPid: 1, dir: '/c', env: {}, argv: ['/bin/true'], workingDir: 'app' },
      /workingDir must be absolute/,
    ],
    [
      'bad env name',
      { holderPid: 1, dir: '/c', env: { 'A=B': '1' }, argv: ['/bin/true'] },
      /invalid environment variable/,
    ],
  ];
  for (const [name, spec, err] of bad) test(`rejects ${name}`, () => assert.throws(() => shimArgv(spec), err));
  test('container env: PATH and HOSTNAME defaults, spec env wins', () => {
    assert.deepEqual(containerEnv({ FOO: 'bar' }, 'web-1'), {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: 'web-1',
      FOO: 'bar',
    });
    assert.equal(containerEnv({ PATH: '/opt/bin' }, 'h').PATH, '/opt/bin');
  });
});

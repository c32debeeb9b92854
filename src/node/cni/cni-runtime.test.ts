/**
 * The CNI runtime's protocol handling against tiny recording plugins (sh
 * scripts): ADD order and prevResult chaining, DEL in reverse with the cached
 * result, CHECK, and errors. The real plugins are exercised by the runtime's
 * integration test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniRuntime } from './cni-runtime.js';
import { CniPluginError } from './result.js';
import type { CniConfList } from './types.js';

// Records "<plugin> <command> <stdin>" per call; ADD prints a result naming itself (or the prevResult it got).
const recorder = (name: string, log: string) => `#!/bin/sh
in=$(cat)
printf '%s %s %s\\n' ${name} "$CNI_COMMAND" "$in" >> ${log}
[ "$CNI_COMMAND" = ADD ] || exit 0
case "$in" in *'"fail":true'*) echo '{"cniVersion":"1.0.0","code":11,"msg":"busy","details":"retry"}'; exit 1;; esac
echo '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"'"$CNI_NETNS"'"}],"ips":[{"address":"10.9.9.${name === 'first' ? 2 : 3}/24","interface":0}]}'
`;

describe('CniRuntime protocol', () => {
  let dir = '';
  let log = '';
  let cni: CniRuntime;
  const list: CniConfList = {
    cniVersion: '1.0.0',
    name: 'testnet',
    plugins: [{ type: 'first' }, { type: 'second', capabilities: { portMappings: true } }],
  };
  const att = {
    containerId: 'c1',
    netns: '/run/netns/x',
    ifName: 'eth0',
    args: { K8S_POD_NAME: 'p' },
    capabilityArgs: { portMappings: [] },
  };
  const calls = async () =>
    (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => {
        const [plugin, command, ...rest] = l.split(' ');
        return { plugin, command, stdin: JSON.parse(rest.join(' ')) as Record<string, unknown> };
      });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'podnet-cnirt-'));
    log = join(dir, 'calls.log');
    for (const name of ['first', 'second']) {
      await writeFile(join(dir, name), recorder(name, log));
      await chmod(join(dir, name), 0o755);
    }
    cni = new CniRuntime({ binDirs: [dir], cacheDir: join(dir, 'cache') });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('ADD chains prevResult and caches the final result', async () => {
    const r = await cni.add(list, att);
    assert.equal(r.ips?.[0]?.address, '10.9.9.3/24');
    const c = await calls();
    assert.deepEqual(
      c.map((x) => `${x.plugin} ${x.command}`),
      ['first ADD', 'second ADD'],
    );
    assert.equal(c[0]!.stdin.prevResult, undefined);
    assert.equal((c[1]!.stdin.prevResult as { ips: { address: string }[] }).ips[0]!.address, '10.9.9.2/24');
    assert.deepEqual(c[1]!.stdin.runtimeConfig, { portMappings: [] });
    assert.equal((await cni.cache.get('testnet', att))?.result.ips?.[0]?.address, '10.9.9.3/24');
  });

  test('CHECK hands every plugin the cached result', async () => {
    await writeFile(log, '');
    await cni.check(list, att);
    const c = await calls();
    assert.deepEqual(
      c.map((x) => `${x.plugin} ${x.command}`),
      ['first CHECK', 'second CHECK'],
    );
    for (const x of c)
      assert.equal((x.stdin.prevResult as { ips: { address: string }[] }).ips[0]!.address, '10.9.9.3/24');
  });

  test('DEL runs in reverse with prevResult, drops the cache, and works again without it', async () => {
    await writeFile(log, '');
    await cni.del(list, att);
    await cni.del(list, att);
    const c = await calls();
    assert.deepEqual(
      c.map((x) => `${x.plugin} ${x.command}`),
      ['second DEL', 'first DEL', 'second DEL', 'first DEL'],
    );
    assert.ok(c[0]!.stdin.prevResult);
    assert.equal(c[2]!.stdin.prevResult, undefined);
    assert.equal(await cni.cache.get('testnet', att), undefined);
    await assert.rejects(cni.check(list, att), /no cached ADD result/);
  });

  test('a CNI error object becomes a CniPluginError', async () => {
    const failing: CniConfList = { ...list, plugins: [{ type: 'first', fail: true }] };
    await assert.rejects(
      cni.add(failing, att),
      (e: unknown) =>
        e instanceof CniPluginError &&
        e.code === 11 &&
        /first ADD failed with code 11 \(try again later\): busy — retry/.test(e.message),
    );
  });

  test('a missing plugin says what to install', async () => {
    await assert.rejects(
      cni.add({ ...list, plugins: [{ type: 'nope' }] }, att),
      /CNI plugin "nope" not found in .*install containernetworking-plugins/,
    );
  });
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatCniArgs,
  kubernetesCniArgs,
  pluginEnv,
  pluginStdin,
  runtimeConfigFor,
  validateContainerId,
  validateIfName,
} from './invocation.js';
import type { CniConfList } from './types.js';

const list: CniConfList = {
  cniVersion: '1.0.0',
  name: 'podnet',
  plugins: [
    { type: 'bridge', bridge: 'cni0' },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
};
const att = {
  containerId: 'abc123',
  netns: '/run/netns/podnet-n1-abc',
  ifName: 'eth0',
  args: kubernetesCniArgs('default', 'web-1', 'abc123'),
  capabilityArgs: {
    portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    bandwidth: { ingressRate: 1 },
  },
};

describe('plugin environment', () => {
  test('CNI_* variables for ADD', () => {
    assert.deepEqual(pluginEnv('ADD', att, ['/usr/lib/cni', '/opt/cni/bin']), {
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'abc123',
      CNI_NETNS: '/run/netns/podnet-n1-abc',
      CNI_IFNAME: 'eth0',
      CNI_ARGS: 'IgnoreUnknown=true;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-1;K8S_POD_INFRA_CONTAINER_ID=abc123',
      CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
    });
  });
  test('DEL with the netns gone passes an empty CNI_NETNS', () => {
    assert.equal(pluginEnv('DEL', { ...att, netns: '' }, ['/usr/lib/cni']).CNI_NETNS, '');
  });
  const ids: [string, boolean][] = [
    ['abc', true],
    ['a.b_c-1', true],
    ['', false],
    ['-abc', false],
    ['a/b', false],
    ['a b', false],
  ];
  for (const [id, ok] of ids) {
    test(`container ID "${id}" ${ok ? 'accepted' : 'rejected'}`, () =>
      ok
        ? assert.doesNotThrow(() => validateContainerId(id))
        : assert.throws(() => validateContainerId(id), /invalid CNI container ID/));
  }
  const ifs: [string, boolean][] = [
    ['eth0', true],
    ['lo', true],
    ['', false],
    ['a-very-long-name-x', false],
    ['et/h', false],
    ['..', false],
  ];
  for (const [n, ok] of ifs) {
    test(`ifname "${n}" ${ok ? 'accepted' : 'rejected'}`, () =>
      ok
        ? assert.doesNotThrow(() => validateIfName(n))
        : assert.throws(() => validateIfName(n), /invalid interface name/));
  }
  test('CNI_ARGS separators are refused', () => {
    assert.equal(formatCniArgs({}), '');
    assert.throws(() => formatCniArgs({ 'A;B': '1' }), /separate entries/);
    assert.throws(() => formatCniArgs({ A: '1;B=2' }), /separate entries/);
  });
});

describe('plugin stdin', () => {
  test('name and cniVersion injected, no runtimeConfig for plugins without capabilities', () => {
    assert.deepEqual(pluginStdin(list, list.plugins[0]!, att.capabilityArgs), {
      type: 'bridge',
      bridge: 'cni0',
      cniVersion: '1.0.0',
      name: 'podnet',
    });
  });
  test('declared capabilities only, plus prevResult', () => {
    const prev = { cniVersion: '1.0.0', ips: [{ address: '10.0.0.2/24' }] };
    assert.deepEqual(pluginStdin(list, list.plugins[1]!, att.capabilityArgs, prev), {
      type: 'portmap',
      capabilities: { portMappings: true },
      cniVersion: '1.0.0',
      name: 'podnet',
      runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
      prevResult: prev,
    });
  });
  test('runtimeConfigFor', () => {
    const table: [Record<string, boolean> | undefined, Record<string, unknown>, Record<string, unknown> | undefined][] =
      [
        [undefined, { portMappings: [] }, undefined],
        [{ portMappings: true }, {}, undefined],
        [{ portMappings: false }, { portMappings: [] }, undefined],
        [{ portMappings: true }, { portMappings: [] }, { portMappings: [] }],
      ];
    for (const [caps, args, want] of table)
      assert.deepEqual(runtimeConfigFor({ type: 'x', ...(caps ? { capabilities: caps } : {}) }, args), want);
  });
});

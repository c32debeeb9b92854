import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aptFix, BINARIES, doctorExitCode, nativeChecks, renderTable, type CheckResult } from './doctor-checks.js';

test('every binary has a fix, and the Debian packages are the ones documented', () => {
  const pkgs = new Set(
    BINARIES.map((b) => b.install)
      .filter((i) => i.startsWith('apt-get'))
      .map((i) => i.split(' ').pop()),
  );
  for (const p of [
    'iproute2',
    'util-linux',
    'nftables',
    'iptables',
    'conntrack',
    'containernetworking-plugins',
    'runc',
    'nginx-light',
    'tomcat10',
  ])
    assert.ok(pkgs.has(p), p);
});

test('exit code and apt line follow the failed checks', () => {
  const ok: CheckResult = { name: 'ip', ok: true, required: true, detail: '/usr/sbin/ip' };
  const optional: CheckResult = {
    name: 'nginx',
    ok: false,
    required: false,
    detail: 'not found',
    fix: 'apt-get install -y nginx-light',
  };
  const needed: CheckResult = {
    name: 'nft',
    ok: false,
    required: true,
    detail: 'not found',
    fix: 'apt-get install -y nftables',
  };
  assert.equal(doctorExitCode([ok, optional]), 0);
  assert.equal(doctorExitCode([ok, optional, needed]), 1);
  assert.equal(aptFix([ok]), undefined);
  assert.equal(aptFix([ok, optional, needed, { ...needed, name: 'nft2' }]), 'apt-get install -y nginx-light nftables');
  const table = renderTable([ok, optional, needed]);
  assert.match(table, /^nginx\s+missing \(optional\)\s+not found$/m);
  assert.match(table, /^nft\s+MISSING\s+not found$/m);
  assert.match(table, /fix: apt-get install -y nftables/);
});

test('native paths: which run native code, which their fallback and why; never required', () => {
  const built = nativeChecks({ loaded: true, netfilterBatch: true, env: {} });
  assert.deepEqual(
    built.map((c) => [c.name, c.ok, c.required]),
    [
      ['native/dns-udp', true, false],
      ['native/nft-netlink', true, false],
      ['native/malloc-trim', true, false],
    ],
  );
  assert.match(built[0]!.detail, /^native: .*recvmmsg/);
  const switchedOff = nativeChecks({ loaded: true, netfilterBatch: true, env: { PODNET_DNS_UDP: 'dgram' } });
  assert.match(switchedOff[0]!.detail, /^fallback: .*dgram.*\(PODNET_DNS_UDP=dgram\)$/);
  assert.equal(switchedOff[0]!.fix, undefined, 'nothing to install: a switch turned it off');
  const none = nativeChecks({ loaded: false, netfilterBatch: false, env: {} });
  assert.ok(none.every((c) => !c.ok && c.fix === 'apt-get install -y build-essential python3'));
  assert.match(none[1]!.detail, /nft -f .*native module not built .*npm run install/);
  assert.equal(doctorExitCode(none), 0);
  assert.equal(aptFix(none), 'apt-get install -y build-essential python3');
});

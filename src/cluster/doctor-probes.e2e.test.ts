import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorExitCode } from './doctor-checks.js';
import { runChecks } from './doctor-probes.js';
import { listNetns } from './host-scan.js';
import { needs, root } from '../testing/requirements.js';

test('doctor reports this machine ok and leaves no throwaway netns', { skip: needs(root) }, async () => {
  const results = await runChecks();
  const failed = results.filter((r) => r.required && !r.ok);
  assert.deepEqual(failed, []);
  assert.equal(doctorExitCode(results), 0);
  for (const k of ['kernel: netns', 'kernel: veth', 'kernel: bridge', 'kernel: vxlan', 'nftables usable'])
    assert.ok(
      results.some((r) => r.name === k && r.ok),
      k,
    );
  assert.deepEqual(
    listNetns().filter((n) => n.startsWith('podnetdoc')),
    [],
  );
});

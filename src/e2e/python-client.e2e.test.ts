/**
 * The official Python client (Debian's python3-kubernetes) against podnet's
 * API server: python-client-suite.py, a unittest suite written the way the
 * client's docs use it, runs against one in-process API server and must
 * pass whole. Its verbose report is the failure message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Cluster, uniqueName } from './harness.js';
import { installed, needs } from '../testing/requirements.js';

/** Debian's interpreter: the package installs into its dist-packages, not a pyenv's. */
const PYTHON = '/usr/bin/python3';
const SUITE = fileURLToPath(new URL('../../src/e2e/python-client-suite.py', import.meta.url));

const skip = needs(
  installed(PYTHON, 'python3'),
  installed('/usr/lib/python3/dist-packages/kubernetes/__init__.py', 'python3-kubernetes'),
  installed(SUITE, 'the podnet source tree (src/e2e/python-client-suite.py)'),
);

let cluster: Cluster;
const ns = uniqueName('pyclient');

before(async () => {
  if (skip) return;
  cluster = await Cluster.start();
  const r = await cluster.request('POST', '/api/v1/namespaces', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }),
  });
  assert.equal(r.status, 201, r.text);
});
after(async () => {
  await cluster?.close();
});

describe('integration: python3-kubernetes', { skip, timeout: 180_000 }, () => {
  test('the Python client suite passes: CRUD, patches, apply, selectors, paging, watch, dynamic, errors', async () => {
    const { code, report } = await new Promise<{ code: number | null; report: string }>((resolve) => {
      execFile(
        PYTHON,
        ['-W', 'ignore::ResourceWarning', SUITE, cluster.kubeconfig, ns],
        { env: { PATH: '/usr/bin:/bin', HOME: cluster.workDir }, timeout: 150_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, report: stdout + stderr }),
      );
    });
    assert.equal(code, 0, report);
    const written = readFileSync(SUITE, 'utf8').match(/^ {4}def test_/gm)?.length ?? 0;
    assert.match(report, new RegExp(`^Ran ${written} tests? `, 'm'), `expected all ${written} tests to run\n${report}`);
    assert.match(report, /^OK$/m, report);
  });
});

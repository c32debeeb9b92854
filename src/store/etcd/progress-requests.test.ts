import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderedProgressRequests } from './progress-requests.js';

test('progress requests are used only on etcd versions that order them with events', () => {
  const cases: [string, boolean][] = [
    ['3.4.23', false], // Debian bookworm's etcd-server
    ['3.4.30', false],
    ['3.4.31', true],
    ['3.5.12', false],
    ['3.5.13', true],
    ['3.5.21', true],
    ['3.6.0', true],
    ['3.3.27', false],
    ['4.0.0', true],
    ['2.3.8', false],
    ['', false],
    ['not a version', false],
  ];
  for (const [version, want] of cases) assert.equal(orderedProgressRequests(version), want, version);
});

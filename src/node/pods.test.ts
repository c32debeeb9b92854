import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOlder } from './pods.js';

test('resourceVersions compare only when both are revisions', () => {
  const cases: [string | undefined, string | undefined, boolean][] = [
    ['5', '7', true],
    ['7', '5', false],
    ['7', '7', false],
    ['99', '100', true],
    [undefined, '5', false],
    ['5', undefined, false],
    ['abc', '5', false],
    ['12345678901234567890', '12345678901234567891', true],
  ];
  for (const [a, b, want] of cases) assert.equal(isOlder(a, b), want, `${a} < ${b}`);
});

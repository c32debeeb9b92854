import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabels, formatLabelSelector, joinHostPort } from './format.js';

test('formatLabels sorts by key and prints <none> when empty', () => {
  assert.equal(formatLabels({ tier: 'web', app: 'shop' }), 'app=shop,tier=web');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

const selectorCases: [string, unknown, string][] = [
  ['missing', undefined, '<none>'],
  ['empty', {}, '<none>'],
  ['matchLabels', { matchLabels: { role: 'db', app: 'shop' } }, 'app=shop,role=db'],
  [
    'expressions sorted by key, values sorted',
    {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'role', operator: 'In', values: ['api'] },
        { key: 'env', operator: 'NotIn', values: ['qa', 'dev'] },
        { key: 'canary', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    },
    'app=web,canary,env notin (dev,qa),!legacy,role in (api)',
  ],
  ['In without values is invalid', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, '<error>'],
  ['unknown operator is invalid', { matchExpressions: [{ key: 'a', operator: 'Near' }] }, '<error>'],
];
for (const [name, selector, want] of selectorCases) {
  test(`formatLabelSelector: ${name}`, () => assert.equal(formatLabelSelector(selector), want));
}

test('joinHostPort brackets IPv6', () => {
  assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(joinHostPort('fd00::1', 80), '[fd00::1]:80');
});

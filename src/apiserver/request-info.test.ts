import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRequest } from './request-info.js';

test('watch= is a kube query bool: only absent, "0" and "false" (any case) mean list', () => {
  const cases: [query: string, verb: string][] = [
    ['', 'list'],
    ['watch=true', 'watch'],
    ['watch=True', 'watch'], // the Python client
    ['watch=1', 'watch'],
    ['watch=', 'watch'],
    ['watch=yes', 'watch'],
    ['watch=false', 'list'],
    ['watch=FALSE', 'list'],
    ['watch=0', 'list'],
  ];
  for (const [query, verb] of cases) {
    const info = parseRequest('GET', '/api/v1/namespaces/default/configmaps', new URLSearchParams(query));
    assert.equal(info.kind === 'resource' ? info.verb : info.kind, verb, query);
  }
});

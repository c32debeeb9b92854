import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { chooseContainer } from './locate.js';

const pod = (containers: string[], init: string[] = []) => ({
  metadata: { name: 'p' },
  spec: { containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) },
});

describe('streaming: the container a request names', () => {
  const cases: [string, ReturnType<typeof pod>, string, string][] = [
    ['the only one by default', pod(['a']), '', 'a'],
    ['named', pod(['a', 'b']), 'b', 'b'],
    ['an init container by name', pod(['a'], ['init']), 'init', 'init'],
  ];
  for (const [name, p, requested, want] of cases) test(name, () => assert.equal(chooseContainer(p, requested), want));

  const errors: [string, ReturnType<typeof pod>, string, string][] = [
    ['several, none named', pod(['a', 'b']), '', 'a container name must be specified for pod p, choose one of: [a b]'],
    ['unknown', pod(['a']), 'x', 'container x is not valid for pod p'],
  ];
  for (const [name, p, requested, message] of errors)
    test(name, () =>
      assert.throws(
        () => chooseContainer(p, requested),
        (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === message,
      ),
    );
});

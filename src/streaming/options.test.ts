import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../api/errors.js';
import {
  nodeCommandQuery,
  nodeLogQuery,
  parseClientCommand,
  parseLogOptions,
  parseNodeCommand,
  parsePorts,
  parseStreamPort,
  queryBool,
} from './options.js';

const q = (s: string) => new URLSearchParams(s);

describe('streaming options', () => {
  const bools: [string, boolean][] = [
    ['', false],
    ['x=', true],
    ['x=true', true],
    ['x=1', true],
    ['x=0', false],
    ['x=FALSE', false],
    ['x=yes', true],
  ];
  for (const [query, want] of bools) test(`bool "${query}"`, () => assert.equal(queryBool(q(query), 'x'), want));

  test("kubectl's exec query becomes the kubelet's", () => {
    const o = parseClientCommand(
      q('command=sh&command=-c&command=exit+3&container=c1&stdin=true&stdout=true&tty=true'),
    );
    assert.deepEqual(o, {
      container: 'c1',
      command: ['sh', '-c', 'exit 3'],
      stdin: true,
      stdout: true,
      stderr: false,
      tty: true,
    });
    assert.equal(nodeCommandQuery(o).toString(), 'command=sh&command=-c&command=exit+3&input=1&output=1&tty=1');
  });

  test('the node side: at least one stream; no stderr with a tty', () => {
    assert.deepEqual(parseNodeCommand(q('command=ls'), 'c'), {
      error: 'you must specify at least 1 of stdin, stdout, stderr',
    });
    const o = parseNodeCommand(q('command=sh&input=1&output=1&error=1&tty=1'), 'c');
    assert.ok(!('error' in o));
    assert.equal(o.stderr, false);
  });

  const logs: [string, string, string[] | string][] = [
    ['all set', 'container=c&follow=true&tailLines=5&limitBytes=100&sinceSeconds=10&timestamps=true', []],
    ['negative tail', 'tailLines=-1', ['tailLines: Invalid value: -1: must be greater than or equal to 0']],
    ['zero limit', 'limitBytes=0', ['limitBytes: Invalid value: 0: must be greater than 0']],
    ['zero since', 'sinceSeconds=0', ['sinceSeconds: Invalid value: 0: must be greater than 0']],
    [
      'both since',
      'sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z',
      [': Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified'],
    ],
    ['not a number', 'tailLines=x', 'invalid value "x" for tailLines: strconv.ParseInt: parsing "x": invalid syntax'],
    [
      'bad time',
      'sinceTime=yesterday',
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday"',
    ],
  ];
  for (const [name, query, want] of logs)
    test(`log options: ${name}`, () => {
      const r = parseLogOptions(q(query));
      if (typeof want === 'string') return assert.deepEqual(r, { bad: want });
      assert.ok('errors' in r);
      assert.deepEqual(r.errors.map(formatFieldError), want);
    });

  test('log options travel to the node unchanged', () => {
    const r = parseLogOptions(
      q('container=c&follow=1&previous=true&tailLines=5&sinceTime=2024-01-01T00:00:00Z&pretty=true'),
    );
    assert.ok('options' in r);
    assert.equal(
      nodeLogQuery(r.options).toString(),
      'follow=true&previous=true&tailLines=5&sinceTime=2024-01-01T00%3A00%3A00Z',
    );
  });

  test('ports', () => {
    assert.deepEqual(parsePorts(['80', '81,8080']), [80, 81, 8080]);
    assert.deepEqual(parsePorts([]), []);
    assert.deepEqual(parsePorts(['0']), { error: 'invalid port "0": must be between 1 and 65535' });
    assert.equal(parseStreamPort('80'), 80);
    assert.deepEqual(parseStreamPort(undefined), { error: '"port" header is required' });
    assert.deepEqual(parseStreamPort('x'), { error: 'unable to parse "x" as a port' });
  });
});

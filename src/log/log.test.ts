import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { configureLogging, error, logEnabled, logger, resetLogging, warn } from './log.js';

const lines: string[] = [];
const capture = (level: 'error' | 'warn' | 'info' | 'debug', format: 'text' | 'json' = 'text') =>
  configureLogging({
    level,
    format,
    write: (l) => lines.push(l),
    now: () => new Date('2024-12-07T08:24:01.123Z'),
  });
afterEach(() => {
  lines.length = 0;
  resetLogging();
});

test('text: timestamp, level, component, message, fields', () => {
  capture('info');
  const log = logger('node n1');
  log('podCIDR 10.244.1.0/24');
  log.warn('slow sync', { ms: 1200, mode: 'nftables' });
  log.child('overlay').error('cannot annotate');
  log.debug('not shown at info');
  assert.deepEqual(lines, [
    '2024-12-07T08:24:01.123Z INFO  node n1: podCIDR 10.244.1.0/24\n',
    '2024-12-07T08:24:01.123Z WARN  node n1: slow sync ms=1200 mode="nftables"\n',
    '2024-12-07T08:24:01.123Z ERROR node n1/overlay: cannot annotate\n',
  ]);
});

test('json: one object per line', () => {
  capture('debug', 'json');
  logger('dns').debug('a "quoted" name', { qtype: 'A' });
  assert.deepEqual(JSON.parse(lines[0]!), {
    ts: '2024-12-07T08:24:01.123Z',
    level: 'debug',
    logger: 'dns',
    msg: 'a "quoted" name',
    qtype: 'A',
  });
});

test('levels: error only shows errors; logEnabled says so', () => {
  capture('error');
  const log = logger('x');
  log('info');
  log.warn('warn');
  log.error('error');
  assert.equal(lines.length, 1);
  assert.equal(logEnabled('warn'), false);
  assert.equal(logEnabled('error'), true);
});

test('warn/error: at that level on a Logger, plain functions are called as they are', () => {
  capture('info');
  warn(logger('proxy'), 'sync failed');
  error(logger('dns'), 'internal error');
  const plain: string[] = [];
  warn((m) => plain.push(m), 'collected');
  assert.deepEqual(
    lines.map((l) => l.slice(25)),
    ['WARN  proxy: sync failed\n', 'ERROR dns: internal error\n'],
  );
  assert.deepEqual(plain, ['collected']);
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ByteLimit,
  normalizeTime,
  parseRecords,
  renderRecord,
  selectRecords,
  sinceCutoff,
  type LogRecord,
} from './cri-log.js';

const T = (s: number) => `2024-01-01T00:00:${String(s).padStart(2, '0')}.000000000Z`;
const file = [
  `${T(1)} stdout F one`,
  `${T(2)} stderr F two`,
  `${T(3)} stdout P thr`,
  `${T(3)} stdout F ee`,
  `${T(4)} stdout F four`,
  '',
].join('\n');

const print = (rs: LogRecord[], timestamps = false) =>
  Buffer.concat(rs.map((r) => renderRecord(r, timestamps))).toString();

describe('CRI log records', () => {
  test('parses whole lines and leaves a trailing piece for later', () => {
    const { records, consumed } = parseRecords(Buffer.from(`${file}${T(5)} stdout F fi`));
    assert.equal(records.length, 5);
    assert.equal(consumed, Buffer.byteLength(file));
    assert.deepEqual(
      records.map((r) => [r.stream, r.partial, r.text.toString()]),
      [
        ['stdout', false, 'one'],
        ['stderr', false, 'two'],
        ['stdout', true, 'thr'],
        ['stdout', false, 'ee'],
        ['stdout', false, 'four'],
      ],
    );
  });

  test('a line not in the format is a stdout line (a log from before records)', () => {
    const { records } = parseRecords(Buffer.from('plain old line\n'), T(9));
    assert.deepEqual(records, [{ time: T(9), stream: 'stdout', partial: false, text: Buffer.from('plain old line') }]);
  });

  test('times: any RFC 3339 to the fixed 9-digit UTC form', () => {
    assert.equal(normalizeTime('2024-01-01T00:00:00Z'), '2024-01-01T00:00:00.000000000Z');
    assert.equal(normalizeTime('2024-01-01T00:00:00.5Z'), '2024-01-01T00:00:00.500000000Z');
    assert.equal(normalizeTime('2024-01-01T02:00:00.123+02:00'), '2024-01-01T00:00:00.123000000Z');
    assert.equal(normalizeTime('yesterday'), undefined);
    assert.equal(
      sinceCutoff({ sinceSeconds: 10 }, Date.parse('2024-01-01T00:00:13Z')),
      '2024-01-01T00:00:03.000000000Z',
    );
    assert.equal(sinceCutoff({}, 0), undefined);
  });

  const all = parseRecords(Buffer.from(file)).records;
  const selections: [string, Parameters<typeof selectRecords>[1], boolean, string][] = [
    ['everything', { timestamps: false }, false, 'one\ntwo\nthree\nfour\n'],
    ['tail 2 (records)', { tailLines: 2, timestamps: false }, false, 'ee\nfour\n'],
    ['tail 0', { tailLines: 0, timestamps: false }, false, ''],
    ['tail more than there is', { tailLines: 50, timestamps: false }, false, 'one\ntwo\nthree\nfour\n'],
    ['since', { since: T(3), timestamps: false }, false, 'three\nfour\n'],
    ['since then tail', { since: T(2), tailLines: 1, timestamps: false }, false, 'four\n'],
    ['timestamps on every record', { tailLines: 3, timestamps: true }, true, `${T(3)} thr${T(3)} ee\n${T(4)} four\n`],
  ];
  for (const [name, sel, ts, want] of selections)
    test(`select: ${name}`, () => assert.equal(print(selectRecords(all, sel), ts), want));

  test('limitBytes cuts across records, mid-line if it must', () => {
    const limit = new ByteLimit(6);
    const out = all.map((r) => limit.take(renderRecord(r, false)));
    assert.equal(Buffer.concat(out).toString(), 'one\ntw');
    assert.equal(limit.exhausted, true);
    assert.equal(new ByteLimit(undefined).take(Buffer.from('abc')).toString(), 'abc');
  });
});

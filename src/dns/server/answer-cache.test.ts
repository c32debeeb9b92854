import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache, MAX_CACHED_REPLY, questionKey } from './answer-cache.js';
import { serializeMessage } from '../wire/message.js';
import { emptyMessage, RRType } from '../wire/types.js';

function query(name: string, id = 7): Buffer {
  const m = emptyMessage(id);
  m.questions.push({ name, type: RRType.A, class: 1 });
  return serializeMessage(m);
}

/** A reply to `name` carrying `tag` as its answer, so a wrong entry shows. */
function reply(name: string, tag: number, extra = 0): Buffer {
  const m = emptyMessage(1);
  m.qr = true;
  m.questions.push({ name, type: RRType.A, class: 1 });
  m.answers.push({
    name,
    type: RRType.A,
    class: 1,
    ttl: 5,
    data: `10.${(tag >> 16) & 255}.${(tag >> 8) & 255}.${tag & 255}`,
  });
  for (let i = 0; i < extra; i++) m.answers.push({ name, type: RRType.TXT, class: 1, ttl: 5, data: ['x'.repeat(200)] });
  return serializeMessage(m, { maxSize: 65535 });
}

const keyOf = (req: Buffer) => ({ ...questionKey(req, false)! });

test('answer cache: thousands of entries across chunks come back exact, with the request ID and case', () => {
  const c = new AnswerCache(10_000);
  const n = 5000; // ~60 B each: more than one 256 KiB chunk
  for (let i = 0; i < n; i++)
    c.set(keyOf(query(`svc-${i}.ns.svc.cluster.local`)), reply(`svc-${i}.ns.svc.cluster.local`, i));
  assert.equal(c.size, n);
  for (const i of [0, 1, 2047, 4095, n - 1]) {
    const req = query(`SVC-${i}.NS.svc.cluster.local`, 4242);
    const out = c.answer(req, questionKey(req, false)!)!;
    const want = reply(`svc-${i}.ns.svc.cluster.local`, i);
    assert.equal(out.readUInt16BE(0), 4242);
    assert.deepEqual(out.subarray(12, 12 + 22), req.subarray(12, 12 + 22), "the question keeps the asker's case");
    assert.deepEqual(out.subarray(req.length), want.subarray(req.length), `answer ${i}`);
  }
  const miss = query('other.ns.svc.cluster.local');
  assert.equal(c.answer(miss, questionKey(miss, false)!), undefined);
});

test('answer cache: bounded by entries and reply size; clear forgets everything', () => {
  const c = new AnswerCache(3);
  for (let i = 0; i < 5; i++) c.set(keyOf(query(`n${i}.test`)), reply(`n${i}.test`, i));
  assert.equal(c.size, 3);
  const big = reply('big.test', 1, 30);
  assert.ok(big.length > MAX_CACHED_REPLY);
  const c2 = new AnswerCache(10);
  c2.set(keyOf(query('big.test')), big);
  assert.equal(c2.size, 0);
  c.clear();
  assert.equal(c.size, 0);
  const req = query('n0.test');
  assert.equal(c.answer(req, questionKey(req, false)!), undefined);
  c.set(keyOf(req), reply('n0.test', 9));
  assert.equal(
    c.answer(req, questionKey(req, false)!)!.subarray(req.length).toString('hex'),
    reply('n0.test', 9).subarray(req.length).toString('hex'),
  );
});

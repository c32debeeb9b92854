import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeMessage } from '../wire/message.js';
import { emptyMessage, RRClass, RRType, type Question } from '../wire/types.js';
import { answersQuery } from './upstream.js';

function message(id: number, response: boolean, q: Question): Buffer {
  const m = emptyMessage(id);
  m.qr = response;
  m.questions.push(q);
  return serializeMessage(m);
}

test('answersQuery accepts only a response with the same ID and question (name case-insensitive)', () => {
  const asked: Question = { name: 'www.example.org', type: RRType.A, class: RRClass.IN };
  const query = message(7, false, asked);
  const cases: { name: string; reply: Buffer; want: boolean }[] = [
    { name: 'the same question', reply: message(7, true, asked), want: true },
    { name: 'the name in other case', reply: message(7, true, { ...asked, name: 'WWW.Example.ORG' }), want: true },
    { name: 'another ID', reply: message(8, true, asked), want: false },
    { name: 'a query, not a response', reply: message(7, false, asked), want: false },
    { name: 'another type (AAAA for A)', reply: message(7, true, { ...asked, type: RRType.AAAA }), want: false },
    { name: 'another class', reply: message(7, true, { ...asked, class: RRClass.CH }), want: false },
    {
      name: 'another name of the same length',
      reply: message(7, true, { ...asked, name: 'www.example.com' }),
      want: false,
    },
    { name: 'a name one label longer', reply: message(7, true, { ...asked, name: 'a.www.example.org' }), want: false },
    {
      name: 'a byte that only looks equal when folded (@ vs `)',
      reply: message(7, true, { ...asked, name: 'www.example.or@' }),
      want: false,
    },
    { name: 'a truncated reply', reply: message(7, true, asked).subarray(0, 20), want: false },
    { name: 'a header only', reply: message(7, true, asked).subarray(0, 12), want: false },
  ];
  for (const c of cases) assert.equal(answersQuery(query, c.reply), c.want, c.name);
  const oddQuery = message(7, false, { ...asked, name: 'www.example.or`' });
  assert.equal(answersQuery(oddQuery, message(7, true, { ...asked, name: 'www.example.or@' })), false);
});

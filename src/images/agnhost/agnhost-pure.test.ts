/** agnhost's pure pieces: flags, Go durations, UDP answers, log format, dial query checks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinHostPort, remoteAddr } from './addr.js';
import { parseDialQuery } from './dial.js';
import { parseFlags } from './flags.js';
import { parseGoDuration } from './go-duration.js';
import { goLogLine } from './log.js';
import { NETEXEC_FLAGS } from './netexec.js';
import { SERVE_HOSTNAME_FLAGS } from './serve-hostname.js';
import { udpAnswer } from './udp-commands.js';

test("flags parse like pflag, with agnhost's defaults", () => {
  const d = parseFlags([], NETEXEC_FLAGS);
  assert.ok(d.ok);
  assert.deepEqual([d.values['http-port'], d.values['udp-port'], d.values['sctp-port']], [8080, 8081, -1]);
  const set = parseFlags(['--http-port=9000', '--udp-port', '-1'], NETEXEC_FLAGS);
  assert.ok(set.ok);
  assert.deepEqual([set.values['http-port'], set.values['udp-port']], [9000, -1]);
  const b = parseFlags(['--udp', '--http=false'], SERVE_HOSTNAME_FLAGS);
  assert.ok(b.ok);
  assert.deepEqual([b.values.udp, b.values.http, b.values.port], [true, false, 9376]);
  const errors: [string[], RegExp][] = [
    [['--nope'], /unknown flag: --nope/],
    [['--http-port', 'abc'], /invalid argument "abc" for "--http-port"/],
    [['--http-port'], /flag needs an argument/],
    [['extra'], /unexpected argument "extra"/],
  ];
  for (const [args, re] of errors) {
    const r = parseFlags(args, NETEXEC_FLAGS);
    assert.ok(!r.ok);
    assert.match(r.message, re);
  }
});

test('Go durations', () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('1m30s'), 90_000);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('10'), undefined, 'Go requires a unit');
  assert.equal(parseGoDuration('soon'), undefined);
});

test('UDP commands: trimmed and lower-cased, unknown ones unanswered', () => {
  assert.equal(udpAnswer('hostname\n', 'pod-a', '10.0.0.1:5'), 'pod-a');
  assert.equal(udpAnswer('HOSTNAME', 'pod-a', 'c'), 'pod-a');
  assert.equal(udpAnswer('echo Hello World', 'pod-a', 'c'), 'hello world');
  assert.equal(udpAnswer('clientip', 'pod-a', '10.0.0.1:5'), '10.0.0.1:5');
  assert.equal(udpAnswer('what', 'pod-a', 'c'), undefined);
});

test("addresses and log lines look like Go's", () => {
  assert.equal(remoteAddr('::ffff:10.1.2.3', 80), '10.1.2.3:80');
  assert.equal(joinHostPort('fd00::1', 53), '[fd00::1]:53');
  assert.equal(goLogLine('GET /hostname', new Date(2024, 0, 2, 3, 4, 5)), '2024/01/02 03:04:05 GET /hostname');
});

test('/dial validates its query like agnhost', () => {
  const q = (s: string): ReturnType<typeof parseDialQuery> => parseDialQuery(new URLSearchParams(s));
  const ok = q('request=hostname&host=svc&port=80');
  assert.ok(ok.ok);
  assert.deepEqual(ok.params, { host: 'svc', port: 80, request: 'hostname', protocol: 'http', tries: 1 });
  const bad: [string, RegExp][] = [
    ['host=svc&port=80', /request parameter not specified/],
    ['request=x&host=svc&port=80&tries=many', /tries parameter is invalid/],
    ['request=x&host=svc&port=80&protocol=tcp', /unsupported protocol. tcp/],
    ['request=x&host=svc&port=99999', /host and\/or port param are invalid/],
  ];
  for (const [query, re] of bad) {
    const r = q(query);
    assert.ok(!r.ok);
    assert.equal(r.reply.status, 400);
    assert.match(r.reply.body, re);
  }
});

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import type { KObject } from '../meta.js';
import { findResource } from '../resources.js';
import {
  fieldSelectorFor,
  fieldsFor,
  labelSelectorFromObject,
  labelSelectorString,
  matchesLabels,
  objectPredicate,
  parseFieldSelector,
  parseLabelSelector,
  selectorFromSet,
} from './index.js';

const badRequest = (fn: () => unknown, message: string) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === message,
  );

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', version: '3' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=db', false],
    ['app in (db,web)', true],
    ['app notin (web)', false],
    ['app', true],
    ['!app', false],
    ['missing', false],
    ['!missing', true],
    ['missing!=x', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['version>2', true],
    ['version<3', false],
    ['app in (web), !gone', true],
  ];
  for (const [sel, want] of cases)
    test(`"${sel}" ${want ? 'matches' : 'does not match'}`, () =>
      assert.equal(matchesLabels(parseLabelSelector(sel), labels), want));

  const bad: [string, string][] = [
    ['app=', ''],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['app in web', "unable to parse requirement: found 'web' expected: '('"],
    ['app in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['=x', "found '=', expected: !, identifier, or 'end of string'"],
    ['app=web,', "found '', expected: identifier after ','"],
    [
      'a/b/c=x',
      "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
    [
      'app=a$b',
      "unable to parse requirement: values[0][app]: Invalid value: \"a$b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    ],
    ['!app=web', "found '=', expected: ',' or 'end of string'"],
    [
      'x>a',
      "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    ],
  ];
  for (const [sel, msg] of bad) {
    if (msg === '')
      test(`"${sel}" selects an empty value`, () =>
        assert.equal(matchesLabels(parseLabelSelector(sel), { app: '' }), true));
    else test(`"${sel}" is a 400`, () => badRequest(() => parseLabelSelector(sel), msg));
  }

  test('service map selector', () => {
    const sel = selectorFromSet({ tier: 'front', app: 'web' });
    assert.equal(labelSelectorString(sel), 'app=web,tier=front');
    assert.equal(matchesLabels(sel, labels), true);
    assert.equal(matchesLabels(sel, { app: 'web' }), false);
  });

  test('spec selector with expressions', () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['front', 'mid'] },
        { key: 'canary', operator: 'DoesNotExist' },
      ],
    });
    assert.notEqual(sel, 'nothing');
    if (sel === 'nothing') return;
    assert.equal(matchesLabels(sel, labels), true);
    assert.equal(matchesLabels(sel, { ...labels, canary: 'y' }), false);
    assert.equal(labelSelectorFromObject(null), 'nothing');
    badRequest(
      () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Has' }] }),
      '"Has" is not a valid label selector operator',
    );
  });
});

describe('field selectors', () => {
  const pods = findResource('', 'v1', 'pods')!;
  const pod: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', hostNetwork: true },
    status: { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }] },
  };

  test('pod fields', () => {
    const f = fieldsFor(pods, pod);
    assert.equal(f['spec.nodeName'], 'n1');
    assert.equal(f['spec.hostNetwork'], 'true');
    assert.equal(f['status.podIP'], '10.244.1.5');
    assert.equal(f['metadata.namespace'], 'default');
  });
  const cases: [string, boolean][] = [
    ['spec.nodeName=n1', true],
    ['spec.nodeName==n2', false],
    ['spec.nodeName!=n2,status.phase=Running', true],
    ['metadata.name=p', true],
    ['spec.nodeName=', false],
  ];
  for (const [sel, want] of cases) test(`"${sel}"`, () => assert.equal(objectPredicate(pods, null, sel)!(pod), want));

  test('unsupported field is the Kubernetes 400', () =>
    badRequest(() => fieldSelectorFor(pods, 'foo=bar'), 'field label not supported: foo'));
  test('syntax error', () =>
    badRequest(() => parseFieldSelector('a=b,c'), "invalid selector: 'a=b,c'; can't understand 'c'"));
  test('escaped values', () =>
    assert.deepEqual(parseFieldSelector('a=x\\,y').requirements, [{ field: 'a', operator: '=', value: 'x,y' }]));
  test('per-resource fields', () => {
    const events = findResource('', 'v1', 'events')!,
      secrets = findResource('', 'v1', 'secrets')!,
      nodes = findResource('', 'v1', 'nodes')!;
    fieldSelectorFor(events, 'involvedObject.kind=Pod,reason=Started,type=Normal,source=kubelet');
    fieldSelectorFor(secrets, 'type=Opaque');
    fieldSelectorFor(nodes, 'spec.unschedulable=false');
    badRequest(() => fieldSelectorFor(nodes, 'status.phase=Ready'), 'field label not supported: status.phase');
    badRequest(
      () => fieldSelectorFor(findResource('discovery.k8s.io', 'v1', 'endpointslices')!, 'spec.x=1'),
      'field label not supported: spec.x',
    );
  });
  test('no selectors, no predicate', () => assert.equal(objectPredicate(pods, null, null), undefined));
});

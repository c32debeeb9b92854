import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupResourceText, namespaceDeletionConditions } from './namespace-status.js';

test('content remaining: kube reasons and messages (core group printed with a trailing dot)', () => {
  const remaining = new Map([
    [groupResourceText('', 'pods'), 2],
    [groupResourceText('networking.k8s.io', 'ingresses'), 1],
  ]);
  const conds = namespaceDeletionConditions(
    { remaining, finalizers: new Map([['example.com/x', 1]]), failures: [] },
    [],
    'T',
  );
  assert.deepEqual(
    conds.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      [
        'NamespaceDeletionGroupVersionParsingFailure',
        'False',
        'ParsedGroupVersions',
        'All legacy kube types successfully parsed',
      ],
      [
        'NamespaceDeletionContentFailure',
        'False',
        'ContentDeleted',
        'All content successfully deleted, may be waiting on finalization',
      ],
      [
        'NamespaceContentRemaining',
        'True',
        'SomeResourcesRemain',
        'Some resources are remaining: ingresses.networking.k8s.io has 1 resource instances, pods. has 2 resource instances',
      ],
      [
        'NamespaceFinalizersRemaining',
        'True',
        'SomeFinalizersRemain',
        'Some content in the namespace has finalizers remaining: example.com/x in 1 resource instances',
      ],
    ],
  );
});

test('transition time only moves when the status flips', () => {
  const first = namespaceDeletionConditions(
    { remaining: new Map([['pods.', 1]]), finalizers: new Map(), failures: [] },
    [],
    'T1',
  );
  const second = namespaceDeletionConditions(
    { remaining: new Map(), finalizers: new Map(), failures: [] },
    first,
    'T2',
  );
  const byType = (t: string) => second.find((c) => c.type === t)!;
  assert.equal(byType('NamespaceContentRemaining').lastTransitionTime, 'T2');
  assert.equal(byType('NamespaceContentRemaining').reason, 'ContentRemoved');
  assert.equal(byType('NamespaceDeletionDiscoveryFailure').lastTransitionTime, 'T1');
});

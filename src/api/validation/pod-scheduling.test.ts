import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { findResource } from '../resources.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate } from './index.js';

const pods = findResource('', 'v1', 'pods')!;
const messages = (spec: Record<string, unknown>) => {
  const o: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25' }], ...spec },
  };
  applyDefaults(pods, o);
  return validateCreate(pods, o).map(formatFieldError);
};
const spread = (c: Record<string, unknown>) => ({
  maxSkew: 1,
  topologyKey: 'kubernetes.io/hostname',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: { app: 'web' } },
  ...c,
});
const at = 'spec.topologySpreadConstraints[0]';

describe('topologySpreadConstraints validation', () => {
  const cases: [string, Record<string, unknown>[], string[]][] = [
    ['valid', [spread({}), spread({ whenUnsatisfiable: 'ScheduleAnyway', nodeTaintsPolicy: 'Honor' })], []],
    [
      'maxSkew must be positive',
      [spread({ maxSkew: 0 })],
      [`${at}.maxSkew: Invalid value: 0: must be greater than zero`],
    ],
    ['topologyKey required', [spread({ topologyKey: '' })], [`${at}.topologyKey: Required value: can not be empty`]],
    [
      'whenUnsatisfiable supported values',
      [spread({ whenUnsatisfiable: 'Maybe' })],
      [`${at}.whenUnsatisfiable: Unsupported value: "Maybe": supported values: "DoNotSchedule", "ScheduleAnyway"`],
    ],
    [
      'a repeated {topologyKey, whenUnsatisfiable}',
      [spread({}), spread({ maxSkew: 2 })],
      [`${at}.{topologyKey, whenUnsatisfiable}: Duplicate value: "{kubernetes.io/hostname, DoNotSchedule}"`],
    ],
    [
      'minDomains positive and only with DoNotSchedule',
      [spread({ minDomains: 0, whenUnsatisfiable: 'ScheduleAnyway' })],
      [
        `${at}.minDomains: Invalid value: 0: must be greater than zero`,
        `${at}.minDomains: Invalid value: 0: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway`,
      ],
    ],
    [
      'node inclusion policies',
      [spread({ nodeAffinityPolicy: 'Always' })],
      [`${at}.nodeAffinityPolicy: Unsupported value: "Always": supported values: "Honor", "Ignore"`],
    ],
    [
      'matchLabelKeys: not in the selector, and only with one',
      [
        spread({ matchLabelKeys: ['app'] }),
        spread({ topologyKey: 'zone', labelSelector: null, matchLabelKeys: ['x'] }),
      ],
      [
        `${at}.matchLabelKeys[0]: Invalid value: "app": exists in both matchLabelKeys and labelSelector`,
        'spec.topologySpreadConstraints[1].matchLabelKeys: Forbidden: must not be specified when labelSelector is not set',
      ],
    ],
  ];
  for (const [name, constraints, want] of cases)
    test(name, () => assert.deepEqual(messages({ topologySpreadConstraints: constraints }), want));
});

describe('pod affinity validation', () => {
  const term = (o: Record<string, unknown> = {}) => ({
    labelSelector: { matchLabels: { app: 'db' } },
    topologyKey: 'kubernetes.io/hostname',
    ...o,
  });
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'valid',
      {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term()] },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term() }],
        },
      },
      [],
    ],
    [
      'topologyKey required',
      { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ topologyKey: '' })] } },
      [
        'spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
      ],
    ],
    [
      'weight 1-100',
      {
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, podAffinityTerm: term() }] },
      },
      [
        'spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100',
      ],
    ],
  ];
  for (const [name, affinity, want] of cases) test(name, () => assert.deepEqual(messages({ affinity }), want));
});

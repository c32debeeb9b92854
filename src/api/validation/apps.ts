/**
 * apps/v1 rules (pkg/apis/apps/validation): Deployments, ReplicaSets,
 * DaemonSets and StatefulSets, their pod templates and update strategies,
 * with kube's messages. Go renders some values with %#v; those are built here.
 */
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import { labelSelectorFromObject, matchesLabels, type LabelSelectorObject } from '../selectors/labels.js';
import { isValidPercent, nameIsDNSSubdomain } from './formats.js';
import {
  arr,
  deepEqual,
  forbidden,
  invalid,
  isObj,
  notSupported,
  num,
  obj,
  required,
  str,
  withGoValue,
  type Obj,
} from './field.js';
import { validateLabelSelector } from './label-selector.js';
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePodSpec } from './pod.js';

const nonNegative = (v: number | undefined, field: string): FieldError[] =>
  v !== undefined && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : [];

/** Go's %#v of map[string]string (keys sorted, as fmt prints maps). */
function goStringMap(m: Record<string, string> | undefined): string {
  if (!m) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(', ')}}`;
}

/** Go's %#v of a metav1.LabelSelector. */
function goLabelSelector(sel: Obj): string {
  const labels = isObj(sel.matchLabels)
    ? goStringMap(sel.matchLabels as Record<string, string>)
    : 'map[string]string(nil)';
  const exprs = arr(sel.matchExpressions).map(obj);
  const goExprs = exprs.length
    ? `[]v1.LabelSelectorRequirement{${exprs
        .map((e) => {
          const values = Array.isArray(e.values)
            ? `[]string{${arr(e.values)
                .map((v) => JSON.stringify(str(v)))
                .join(', ')}}`
            : '[]string(nil)';
          return `v1.LabelSelectorRequirement{Key:${JSON.stringify(str(e.key))}, Operator:${JSON.stringify(str(e.operator))}, Values:${values}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${goExprs}}`;
}

/** Go's %#v of an intstr.IntOrString. */
function goIntOrString(v: unknown): string {
  if (typeof v === 'number') return `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
  if (typeof v === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`;
  return 'null';
}

/** getIntOrPercentValue: the number, or the percent's number. */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number.parseInt(v.replace(/%$/, ''), 10);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

function validatePositiveIntOrPercent(v: unknown, field: string): FieldError[] {
  if (typeof v === 'string')
    return isValidPercent(v).map((m) => withGoValue('FieldValueInvalid', field, goIntOrString(v), m));
  if (typeof v === 'number' && v < 0) return [invalid(field, v, 'must be greater than or equal to 0')];
  return [];
}

function notMoreThan100Percent(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'string' || !v.endsWith('%')) return [];
  return intOrPercentValue(v) > 100 ? [invalid(field, v, 'must not be greater than 100%')] : [];
}

/** The selector checks every workload shares; `kind` names it in the empty-selector message. */
function validateSelector(spec: Obj, kind: string): FieldError[] {
  if (spec.selector === undefined || spec.selector === null) return [required('spec.selector')];
  const sel = obj(spec.selector);
  const errs = validateLabelSelector(sel, 'spec.selector');
  if (Object.keys(obj(sel.matchLabels)).length + arr(sel.matchExpressions).length === 0)
    errs.push(
      withGoValue('FieldValueInvalid', 'spec.selector', goLabelSelector(sel), `empty selector is invalid for ${kind}`),
    );
  return errs;
}

/** `selector` does not match template `labels` (a missing selector selects nothing; an empty one is reported above). */
function templateLabelsMatch(spec: Obj): FieldError[] {
  const labels = obj(obj(obj(spec.template).metadata).labels) as Record<string, string>;
  let selector;
  try {
    selector = labelSelectorFromObject(spec.selector as LabelSelectorObject | undefined);
  } catch {
    return [];
  }
  if (selector !== 'nothing' && selector.requirements.length === 0) return [];
  if (selector !== 'nothing' && matchesLabels(selector, labels)) return [];
  const value = isObj(obj(obj(spec.template).metadata).labels) ? goStringMap(labels) : 'map[string]string(nil)';
  return [
    withGoValue(
      'FieldValueInvalid',
      'spec.template.metadata.labels',
      value,
      '`selector` does not match template `labels`',
    ),
  ];
}

/** ValidatePodTemplateSpec at spec.template, plus the workload rules (restartPolicy Always, no activeDeadlineSeconds). */
function validateTemplate(spec: Obj, kind: string): FieldError[] {
  const template = obj(spec.template);
  const meta = obj(template.metadata);
  const podSpec = obj(template.spec);
  const errs = [
    ...validateLabels(meta.labels as Record<string, string> | undefined, 'spec.template.metadata.labels'),
    ...validateAnnotations(
      meta.annotations as Record<string, string> | undefined,
      'spec.template.metadata.annotations',
    ),
    ...validatePodSpec(podSpec).map((e) => ({ ...e, field: `spec.template.${e.field}` })),
  ];
  if (arr(podSpec.ephemeralContainers).length)
    errs.push(forbidden('spec.template.spec.ephemeralContainers', 'ephemeral containers not allowed in pod template'));
  const rp = str(podSpec.restartPolicy);
  if (rp && rp !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  const ads = num(podSpec.activeDeadlineSeconds);
  if (ads !== undefined) {
    if (kind === 'StatefulSet')
      errs.push(
        forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'),
      );
    else
      errs.push(
        invalid('spec.template.spec.activeDeadlineSeconds', ads, `activeDeadlineSeconds in ${kind} is not Supported`),
      );
  }
  return errs;
}

function validateDeploymentStrategy(s: Obj): FieldError[] {
  const strategy = obj(s.strategy);
  const type = str(strategy.type);
  const ru = strategy.rollingUpdate;
  if (type === 'Recreate')
    return isObj(ru)
      ? [forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")]
      : [];
  if (type === 'RollingUpdate') {
    if (!isObj(ru)) return [required('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil')];
    const at = 'spec.strategy.rollingUpdate';
    const errs = [
      ...validatePositiveIntOrPercent(ru.maxUnavailable, `${at}.maxUnavailable`),
      ...validatePositiveIntOrPercent(ru.maxSurge, `${at}.maxSurge`),
    ];
    if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
      errs.push(
        withGoValue(
          'FieldValueInvalid',
          `${at}.maxUnavailable`,
          goIntOrString(ru.maxUnavailable),
          'may not be 0 when `maxSurge` is 0',
        ),
      );
    errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${at}.maxUnavailable`));
    return errs;
  }
  const goRu = isObj(ru) ? '(*apps.RollingUpdateDeployment)(0xc000000000)' : '(*apps.RollingUpdateDeployment)(nil)';
  return [
    {
      type: 'FieldValueNotSupported',
      field: 'spec.strategy',
      detail: `apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:${goRu}}: supported values: "Recreate", "RollingUpdate"`,
    },
  ];
}

function validateDeploymentSpec(s: Obj): FieldError[] {
  const errs = [...nonNegative(num(s.replicas), 'spec.replicas'), ...validateSelector(s, 'deployment')];
  errs.push(...templateLabelsMatch(s), ...validateTemplate(s, 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(s));
  errs.push(...nonNegative(num(s.minReadySeconds), 'spec.minReadySeconds'));
  errs.push(...nonNegative(num(s.revisionHistoryLimit), 'spec.revisionHistoryLimit'));
  const pds = num(s.progressDeadlineSeconds);
  if (pds !== undefined) {
    errs.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (num(s.minReadySeconds) ?? 0))
      errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function validateReplicaSetSpec(s: Obj): FieldError[] {
  const errs = [
    ...nonNegative(num(s.replicas), 'spec.replicas'),
    ...nonNegative(num(s.minReadySeconds), 'spec.minReadySeconds'),
    // kube's ReplicaSet validation names deployments here too.
    ...validateSelector(s, 'deployment'),
  ];
  errs.push(...templateLabelsMatch(s), ...validateTemplate(s, 'ReplicaSet'));
  return errs;
}

function validateDaemonSetSpec(s: Obj): FieldError[] {
  const errs = [...validateSelector(s, 'daemonset'), ...templateLabelsMatch(s), ...validateTemplate(s, 'DaemonSet')];
  errs.push(...nonNegative(num(s.minReadySeconds), 'spec.minReadySeconds'));
  const strategy = obj(s.updateStrategy);
  const type = str(strategy.type);
  const at = 'spec.updateStrategy.rollingUpdate';
  if (type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (!isObj(ru)) errs.push(required(at));
    else {
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${at}.maxUnavailable`));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${at}.maxSurge`));
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${at}.maxUnavailable`));
      errs.push(...notMoreThan100Percent(ru.maxSurge, `${at}.maxSurge`));
      const unavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const surge = intOrPercentValue(ru.maxSurge) !== 0;
      if (unavailable && surge)
        errs.push(
          withGoValue(
            'FieldValueInvalid',
            `${at}.maxSurge`,
            goIntOrString(ru.maxSurge),
            'may not be set when maxUnavailable is non-zero',
          ),
        );
      else if (!unavailable && !surge) errs.push(required(`${at}.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (type !== 'OnDelete') {
    errs.push({
      type: 'FieldValueNotSupported',
      field: 'spec.updateStrategy',
      detail: `apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"`,
    });
  }
  errs.push(...nonNegative(num(s.revisionHistoryLimit), 'spec.revisionHistoryLimit'));
  return errs;
}

function validateStatefulSetSpec(s: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const pmp = str(s.podManagementPolicy);
  if (!pmp) errs.push(required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(invalid('spec.podManagementPolicy', pmp, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = obj(s.updateStrategy);
  const type = str(strategy.type);
  if (!type) errs.push(required('spec.updateStrategy'));
  else if (type === 'OnDelete') {
    if (isObj(strategy.rollingUpdate))
      errs.push(
        withGoValue(
          'FieldValueInvalid',
          'spec.updateStrategy.rollingUpdate',
          '&apps.RollingUpdateStatefulSetStrategy{}',
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
  } else if (type === 'RollingUpdate') {
    const ru = obj(strategy.rollingUpdate);
    errs.push(...nonNegative(num(ru.partition), 'spec.updateStrategy.rollingUpdate.partition'));
  } else {
    errs.push(
      withGoValue(
        'FieldValueInvalid',
        'spec.updateStrategy',
        `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(type)}}`,
        "must be 'RollingUpdate' or 'OnDelete'",
      ),
    );
  }
  const retention = obj(s.persistentVolumeClaimRetentionPolicy);
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = str(retention[k]);
    if (v && v !== 'Retain' && v !== 'Delete')
      errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, ['Retain', 'Delete']));
  }
  errs.push(...nonNegative(num(obj(s.ordinals).start), 'spec.ordinals.start'));
  errs.push(...nonNegative(num(s.replicas), 'spec.replicas'));
  errs.push(...nonNegative(num(s.minReadySeconds), 'spec.minReadySeconds'));
  errs.push(...validateSelector(s, 'statefulset'), ...templateLabelsMatch(s), ...validateTemplate(s, 'StatefulSet'));
  return errs;
}

const meta = (o: KObject) => validateObjectMeta(o, true, nameIsDNSSubdomain);

function selectorImmutable(o: KObject, old: KObject): FieldError[] {
  const sel = obj(o.spec).selector,
    oldSel = obj(old.spec).selector;
  if (deepEqual(sel, oldSel)) return [];
  return [
    withGoValue('FieldValueInvalid', 'spec.selector', isObj(sel) ? goLabelSelector(sel) : 'null', 'field is immutable'),
  ];
}

/** Status counters are never negative (ValidateDeploymentStatus and friends). */
function statusCounts(o: KObject, fields: string[]): FieldError[] {
  const st = obj(o.status);
  return fields.flatMap((f) => nonNegative(num(st[f]), `status.${f}`));
}

export const validateDeployment = (o: KObject): FieldError[] => [...meta(o), ...validateDeploymentSpec(obj(o.spec))];
export const validateDeploymentUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateDeploymentSpec(obj(o.spec)),
  ...selectorImmutable(o, old),
];
export const validateDeploymentStatusUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...statusCounts(o, [
    'replicas',
    'updatedReplicas',
    'readyReplicas',
    'availableReplicas',
    'unavailableReplicas',
    'observedGeneration',
  ]),
];

export const validateReplicaSet = (o: KObject): FieldError[] => [...meta(o), ...validateReplicaSetSpec(obj(o.spec))];
export const validateReplicaSetUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateReplicaSetSpec(obj(o.spec)),
  ...selectorImmutable(o, old),
];
export const validateReplicaSetStatusUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...statusCounts(o, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']),
];

export const validateDaemonSet = (o: KObject): FieldError[] => [...meta(o), ...validateDaemonSetSpec(obj(o.spec))];
export const validateDaemonSetUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...validateDaemonSetSpec(obj(o.spec)),
  ...selectorImmutable(o, old),
];
export const validateDaemonSetStatusUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...statusCounts(o, [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
    'updatedNumberScheduled',
    'numberAvailable',
    'numberUnavailable',
    'observedGeneration',
  ]),
];

/** Fields of a StatefulSet's spec that may change after creation. */
const statefulSetMutable = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

export const validateStatefulSet = (o: KObject): FieldError[] => [...meta(o), ...validateStatefulSetSpec(obj(o.spec))];
export function validateStatefulSetUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = [...validateObjectMetaUpdate(o, old), ...validateStatefulSetSpec(obj(o.spec))];
  const strip = (spec: unknown): Obj => {
    const copy = { ...obj(spec) };
    for (const k of statefulSetMutable) delete copy[k];
    return copy;
  };
  if (!deepEqual(strip(o.spec), strip(old.spec)))
    errs.push(
      forbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  return errs;
}
export const validateStatefulSetStatusUpdate = (o: KObject, old: KObject): FieldError[] => [
  ...validateObjectMetaUpdate(o, old),
  ...statusCounts(o, [
    'replicas',
    'readyReplicas',
    'currentReplicas',
    'updatedReplicas',
    'availableReplicas',
    'observedGeneration',
  ]),
];

export const validateControllerRevision = (o: KObject): FieldError[] => {
  const errs = meta(o);
  if (o.data === undefined || o.data === null) errs.push(required('data'));
  errs.push(...nonNegative(num(o.revision), 'revision'));
  return errs;
};
export function validateControllerRevisionUpdate(o: KObject, old: KObject): FieldError[] {
  const errs = validateObjectMetaUpdate(o, old);
  if (!deepEqual(o.data, old.data)) errs.push(invalid('data', null, 'field is immutable'));
  return errs;
}

/** apps/v1 defaults (SetDefaults_Deployment, _ReplicaSet, _DaemonSet, _StatefulSet) and the pod template's. */
import type { KObject } from '../meta.js';
import { defaultPodSpec } from './pod.js';

type Obj = Record<string, unknown>;
const objOf = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

function defaultTemplate(spec: Obj): void {
  const template = objOf(spec.template);
  if (!template) return;
  const podSpec = objOf(template.spec);
  if (podSpec) defaultPodSpec(podSpec);
}

export function defaultDeployment(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  s.replicas ??= 1;
  const strategy = (s.strategy ??= {}) as Obj;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {}) as Obj;
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  defaultTemplate(s);
}

export function defaultReplicaSet(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  s.replicas ??= 1;
  defaultTemplate(s);
}

export function defaultDaemonSet(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  const strategy = (s.updateStrategy ??= {}) as Obj;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {}) as Obj;
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  s.revisionHistoryLimit ??= 10;
  defaultTemplate(s);
}

export function defaultStatefulSet(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  s.podManagementPolicy ||= 'OrderedReady';
  const strategy = (s.updateStrategy ??= {}) as Obj;
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {}) as Obj;
    ru.partition ??= 0;
  }
  const retention = (s.persistentVolumeClaimRetentionPolicy ??= {}) as Obj;
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  s.replicas ??= 1;
  s.revisionHistoryLimit ??= 10;
  defaultTemplate(s);
}

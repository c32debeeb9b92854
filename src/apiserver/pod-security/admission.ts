/**
 * Pod Security Admission, as kube-apiserver's PodSecurity plugin: a pod
 * created (or its spec changed) in a namespace labelled
 * pod-security.kubernetes.io/enforce is refused when it violates that
 * level; `warn` returns kube's warning to the client, for pods and for
 * the pod templates of workload controllers; `audit` is written to the API
 * server's log (podnet has no audit log). Namespace labels are checked,
 * and a new enforce level warns about the pods already there.
 */
import { ApiError, errors, fieldError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Admission } from '../registry/registry.js';
import { describeViolations, evaluatePod, type CheckedPodSpec } from './checks.js';
import { invalidLabels, LABEL_PREFIX, namespacePolicy, policyName } from './labels.js';

type Write = Parameters<Admission['admit']>[0];

interface PodSecurityOptions {
  /** The namespace's labels (undefined when it does not exist). */
  namespaceLabels(name: string): Promise<Record<string, string> | undefined>;
  /** The pods of a namespace (for the warning a new enforce level gives). */
  podsIn(namespace: string): Promise<KObject[]>;
  /** Where audit-mode violations go. */
  audit(line: string): void;
}

/** Resources with a pod template at spec.template (CronJob: spec.jobTemplate.spec.template). */
const TEMPLATE_OWNERS = new Set([
  'apps/deployments',
  'apps/replicasets',
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  'batch/cronjobs',
  '/replicationcontrollers',
  '/podtemplates',
]);

interface PodLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: CheckedPodSpec;
}

function templateOf(ri: ResourceInfo, obj: KObject): PodLike | undefined {
  const o = obj as unknown as Record<string, Record<string, unknown> | undefined>;
  if (ri.resource === 'podtemplates') return o['template'];
  if (ri.resource === 'cronjobs')
    return (
      (o['spec']?.['jobTemplate'] as Record<string, Record<string, unknown>> | undefined)?.['spec']?.['template'] ??
      undefined
    );
  return o['spec']?.['template'] as PodLike | undefined;
}

/** Only a change to what the checks read is evaluated again (kube skips image-only and metadata updates). */
function significantPodUpdate(obj: KObject, old: KObject | undefined): boolean {
  if (!old) return true;
  const strip = (p: KObject) => {
    const spec = structuredClone((p as unknown as { spec?: Record<string, unknown> }).spec ?? {});
    for (const k of ['containers', 'initContainers', 'ephemeralContainers'])
      for (const c of (spec[k] as { image?: string }[] | undefined) ?? []) delete c.image;
    const seccomp = Object.entries(p.metadata.annotations ?? {}).filter(([k]) => k.includes('seccomp'));
    return JSON.stringify([spec, seccomp]);
  };
  return strip(obj) !== strip(old);
}

export function podSecurityAdmission(o: PodSecurityOptions): Admission {
  return {
    async admit(w: Write): Promise<void> {
      if (!w.obj || w.operation === 'delete') return;
      const key = `${w.ri.group}/${w.ri.resource}`;
      if (key === '/namespaces' && !w.subresource) return admitNamespace(w, o);
      const pod = key === '/pods';
      if (!pod && !TEMPLATE_OWNERS.has(key)) return;
      // Status and other subresources never change what the checks read; ephemeral containers do.
      if (w.subresource && !(pod && w.subresource === 'ephemeralcontainers')) return;
      if (pod && w.operation === 'update' && !significantPodUpdate(w.obj, w.old)) return;
      const target: PodLike | undefined = pod ? w.obj : templateOf(w.ri, w.obj);
      if (!target?.spec) return;
      const namespace = w.obj.metadata.namespace!;
      const policy = namespacePolicy(await o.namespaceLabels(namespace));
      const verdict = (mode: 'enforce' | 'warn' | 'audit') => {
        const found = evaluatePod(policy[mode], target.metadata?.annotations, target.spec!);
        return found.length ? `PodSecurity "${policyName(policy[mode])}": ${describeViolations(found)}` : undefined;
      };
      // A workload's template is only warned and audited about: its pods meet enforce when created.
      const enforced = pod ? verdict('enforce') : undefined;
      if (enforced) {
        const gr = w.ri.group ? `${w.ri.resource}.${w.ri.group}` : w.ri.resource;
        throw new ApiError(
          403,
          'Forbidden',
          `${gr} "${w.obj.metadata.name ?? ''}" is forbidden: violates ${enforced}`,
          {
            name: w.obj.metadata.name ?? '',
            kind: w.ri.resource,
          },
        );
      }
      const warned = verdict('warn');
      if (warned) w.warnings?.push(`would violate ${warned}`);
      const audited = verdict('audit');
      if (audited)
        o.audit(`${key.replace(/^\//, '')} ${namespace}/${w.obj.metadata.name ?? ''} would violate ${audited}`);
    },
  };
}

async function admitNamespace(w: Write, o: PodSecurityOptions): Promise<void> {
  const labels = w.obj!.metadata.labels;
  const bad = invalidLabels(labels);
  if (bad.length)
    throw errors.invalid(
      { group: '', kind: 'Namespace' },
      w.obj!.metadata.name ?? '',
      bad.map((b) => fieldError.invalid(b.field, b.value, b.detail)),
    );
  // A stricter enforce level applies only to new pods: say which existing ones it would refuse.
  const enforceKey = `${LABEL_PREFIX}enforce`;
  const versionKey = `${enforceKey}-version`;
  const oldLabels = w.old?.metadata.labels;
  if (w.operation !== 'update' || !w.warnings) return;
  if (labels?.[enforceKey] === oldLabels?.[enforceKey] && labels?.[versionKey] === oldLabels?.[versionKey]) return;
  const policy = namespacePolicy(labels).enforce;
  if (policy.level === 'privileged') return;
  const name = w.obj!.metadata.name!;
  const violating: string[] = [];
  for (const p of await o.podsIn(name)) {
    const pod = p as unknown as PodLike;
    const found = evaluatePod(policy, pod.metadata?.annotations, pod.spec ?? {});
    if (found.length) violating.push(`${p.metadata.name}: ${found.map((f) => f.reason).join(', ')}`);
  }
  if (!violating.length) return;
  w.warnings.push(
    `existing pods in namespace "${name}" violate the new PodSecurity enforce level "${policyName(policy)}"`,
  );
  w.warnings.push(...violating);
}

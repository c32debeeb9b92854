/**
 * Pod defaults: core/v1 SetDefaults_Pod/PodSpec/Container/Probe/... plus what
 * the default admission plugins add on every cluster (ServiceAccount,
 * DefaultTolerationSeconds, Priority).
 */
import type { KObject } from '../meta.js';

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** Always for :latest or untagged images, IfNotPresent for tags and digests. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  // An empty image fails to parse in Kubernetes, which then falls back to IfNotPresent.
  if (image === '' || image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: unknown): void {
  if (!h || typeof h !== 'object') return;
  const httpGet = (h as Obj).httpGet as Obj | undefined;
  if (httpGet) {
    if (!httpGet.path) httpGet.path = '/';
    if (!httpGet.scheme) httpGet.scheme = 'HTTP';
  }
}

function defaultProbe(p: unknown): void {
  if (!p || typeof p !== 'object') return;
  const probe = p as Obj;
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHandler(probe);
}

function defaultContainer(c: Obj, hostNetwork: boolean): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(typeof c.image === 'string' ? c.image : '');
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of list(c.ports)) {
    p.protocol ||= 'TCP';
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  for (const e of list(c.env)) {
    const fieldRef = (e.valueFrom as Obj | undefined)?.fieldRef as Obj | undefined;
    if (fieldRef) fieldRef.apiVersion ||= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lc = c.lifecycle as Obj | undefined;
  if (lc) {
    defaultHandler(lc.postStart);
    defaultHandler(lc.preStop);
  }
  // Requests default to limits when only limits are given.
  const res = c.resources as Obj | undefined;
  const limits = res?.limits as Obj | undefined;
  if (res && limits && Object.keys(limits).length) {
    const requests = (res.requests ??= {}) as Obj;
    for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
}

const sources = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

function defaultVolume(v: Obj): void {
  if (!sources.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = v[k] as Obj | undefined;
    if (src && src.defaultMode === undefined) src.defaultMode = 420;
  }
}

const defaultTolerations = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

export function defaultPod(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  defaultPodSpec(s);
  // ServiceAccount admission (token volume projection is the node agent's concern here).
  if (!s.serviceAccountName) s.serviceAccountName = s.serviceAccount || 'default';
  s.serviceAccount ??= s.serviceAccountName;
  // Priority admission: no priorityClassName means priority 0, PreemptLowerPriority.
  s.priority ??= 0;
  s.preemptionPolicy ??= 'PreemptLowerPriority';
  // DefaultTolerationSeconds admission: tolerate not-ready/unreachable for 5 minutes unless the pod says otherwise.
  const tols = list(s.tolerations);
  for (const t of defaultTolerations) {
    const covered = tols.some(
      (x) => (x.key === t.key || (!x.key && x.operator === 'Exists')) && (!x.effect || x.effect === 'NoExecute'),
    );
    if (!covered) tols.push({ ...t });
  }
  s.tolerations = tols;
}

/**
 * The scheme defaults of a PodSpec (SetDefaults_PodSpec and what it reaches),
 * without the admission plugins' additions: what a pod template in a
 * Deployment, ReplicaSet, DaemonSet or StatefulSet gets.
 */
export function defaultPodSpec(s: Obj): void {
  const hostNetwork = s.hostNetwork === true;
  s.restartPolicy ||= 'Always';
  s.dnsPolicy ||= 'ClusterFirst';
  s.terminationGracePeriodSeconds ??= 30;
  s.schedulerName ||= 'default-scheduler';
  s.securityContext ??= {};
  s.enableServiceLinks ??= true;
  for (const c of list(s.containers)) defaultContainer(c, hostNetwork);
  for (const c of list(s.initContainers)) defaultContainer(c, hostNetwork);
  for (const v of list(s.volumes)) defaultVolume(v);
}

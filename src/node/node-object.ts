/**
 * The Node and Lease objects a node agent publishes, as pure functions of
 * what it knows about its host, so registration and heartbeats are
 * table-tested and a restart re-derives exactly the same object.
 */
import type { KObject } from '../api/meta.js';

export interface HostFacts {
  nodeName: string;
  nodeIp: string;
  cpus: number;
  memoryKi: number;
  maxPods: number;
  kernelVersion: string;
  osImage: string;
  machineId: string;
  bootId: string;
  architecture: string;
  agentVersion: string;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

/** Why the node cannot run pods yet, or undefined when it is ready (kubelet's runtime network check). */
export type NotReadyReason = string | undefined;

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;
/** kubelet renews at a quarter of the duration. */
export const LEASE_RENEW_MS = 10_000;

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
export const goArch = (nodeArch: string): string => ARCH[nodeArch] ?? nodeArch;

/**
 * Annotation with the podCIDR this node's pod network was built on: a Node
 * deleted and registered again asks for it back (the podcidr controller
 * gives it when no other node holds it), so its bridge and pods stay valid.
 */
export const POD_CIDR_HINT_ANNOTATION = 'podnet.io/pod-cidr-hint';

/** The Node an agent creates on registration (podCidrHint: the subnet its pods are on, if it had one). */
export function newNode(h: HostFacts, podCidrHint?: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: h.nodeName,
      ...(podCidrHint ? { annotations: { [POD_CIDR_HINT_ANNOTATION]: podCidrHint } } : {}),
      labels: {
        'kubernetes.io/hostname': h.nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': h.architecture,
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': h.architecture,
      },
    },
    spec: {},
  };
}

/**
 * The kubelet-owned conditions: the pressure conditions are reported False
 * (podnet does no eviction), Ready follows notReady. Transition times are
 * kept from the previous conditions when a status did not change.
 */
export function nodeConditions(
  previous: NodeCondition[] | undefined,
  notReady: NotReadyReason,
  now: string,
): NodeCondition[] {
  const desired: Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>[] = [
    {
      type: 'MemoryPressure',
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
    },
    {
      type: 'DiskPressure',
      status: 'False',
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
    },
    {
      type: 'PIDPressure',
      status: 'False',
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
    },
    notReady === undefined
      ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: notReady },
  ];
  return desired.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    const same = prev?.status === c.status;
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: same && prev ? prev.lastTransitionTime : now };
  });
}

/** The full status the agent posts (addresses, capacity, conditions, nodeInfo). */
export function nodeStatus(
  h: HostFacts,
  previous: NodeCondition[] | undefined,
  notReady: NotReadyReason,
  now: string,
): Record<string, unknown> {
  const resources = {
    cpu: String(h.cpus),
    memory: `${h.memoryKi}Ki`,
    pods: String(h.maxPods),
    'ephemeral-storage': '0',
  };
  return {
    addresses: [
      { type: 'InternalIP', address: h.nodeIp },
      { type: 'Hostname', address: h.nodeName },
    ],
    capacity: resources,
    allocatable: resources,
    conditions: nodeConditions(previous, notReady, now),
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: h.machineId,
      systemUUID: h.machineId,
      bootID: h.bootId,
      kernelVersion: h.kernelVersion,
      osImage: h.osImage,
      containerRuntimeVersion: `podnet://${h.agentVersion}`,
      kubeletVersion: `v1.32.0+podnet`,
      kubeProxyVersion: `v1.32.0+podnet`,
      operatingSystem: 'linux',
      architecture: h.architecture,
    },
  };
}

/** True when the posted conditions differ from the desired ones other than by heartbeat time. */
export function conditionsChanged(posted: NodeCondition[] | undefined, desired: NodeCondition[]): boolean {
  const strip = (cs: NodeCondition[] | undefined) =>
    JSON.stringify(
      (cs ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest).sort((a, b) => a.type.localeCompare(b.type)),
    );
  return strip(posted) !== strip(desired);
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The node's Lease (kube-node-lease/<node>), owned by its Node so it goes with it. */
export function nodeLease(nodeName: string, nodeUid: string | undefined, nowMs: number): KObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: NODE_LEASE_NAMESPACE,
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(nowMs) },
  };
}

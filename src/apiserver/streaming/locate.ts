/**
 * Where a pods/log, exec, attach or portforward request goes: the pod's
 * node agent and the kubelet-shaped path there, after the checks kube's
 * apiserver makes itself (the pod exists, the container is valid or can be
 * defaulted, the pod has a node, the options are valid).
 */
import { errors, type FieldError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import {
  nodeCommandQuery,
  nodeLogQuery,
  parseClientCommand,
  parseLogOptions,
  parsePorts,
} from '../../streaming/options.js';
import type { Registry } from '../registry/registry.js';

const podsRes = findResource('', 'v1', 'pods')!;
const nodesRes = findResource('', 'v1', 'nodes')!;

export const STREAMING_SUBRESOURCES = ['log', 'exec', 'attach', 'portforward'] as const;
export type StreamingSubresource = (typeof STREAMING_SUBRESOURCES)[number];

interface PodSpecLike {
  nodeName?: string;
  containers?: { name: string }[];
  initContainers?: { name: string }[];
}
interface PodLike extends KObject {
  spec?: PodSpecLike;
}
interface NodeLike extends KObject {
  status?: {
    addresses?: { type: string; address: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

export interface NodeLocation {
  node: string;
  host: string;
  port: number;
  /** Path and query on the node agent. */
  path: string;
}

/** The container the request names, or the only one; kube's messages otherwise (pure). */
export function chooseContainer(pod: { metadata: { name?: string }; spec?: PodSpecLike }, requested: string): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  const name = pod.metadata.name!;
  if (!requested) {
    const app = (pod.spec?.containers ?? []).map((c) => c.name);
    if (app.length === 1) return app[0]!;
    throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${app.join(' ')}]`);
  }
  if (!all.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

const seg = encodeURIComponent;

/**
 * The node path for a request, or undefined for a log request of a pod with
 * no node yet (kube answers that with an empty 200).
 */
export async function locate(
  registry: Registry,
  subresource: StreamingSubresource,
  namespace: string,
  name: string,
  query: URLSearchParams,
): Promise<NodeLocation | undefined> {
  let path: string;
  const pod = (await registry.get(podsRes, namespace, name)) as PodLike;
  const nodeName = pod.spec?.nodeName;
  if (subresource === 'log') {
    const r = parseLogOptions(query);
    if ('bad' in r) throw errors.badRequest(r.bad);
    if (r.errors.length) throw logOptionsInvalid(name, r.errors);
    const container = chooseContainer(pod, r.options.container);
    if (!nodeName) return undefined;
    path = `/containerLogs/${seg(namespace)}/${seg(name)}/${seg(container)}?${nodeLogQuery(r.options).toString()}`;
  } else if (subresource === 'portforward') {
    const ports = parsePorts(query.getAll('ports'));
    if (!Array.isArray(ports)) throw errors.badRequest(ports.error);
    if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    const q = ports.length ? `?port=${ports.join(',')}` : '';
    path = `/portForward/${seg(namespace)}/${seg(name)}${q}`;
  } else {
    const o = parseClientCommand(query);
    const container = chooseContainer(pod, o.container);
    if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
    path = `/${subresource}/${seg(namespace)}/${seg(name)}/${seg(container)}?${nodeCommandQuery(o).toString()}`;
  }
  const node = (await registry.get(nodesRes, undefined, nodeName).catch(() => {
    throw errors.badRequest(`node ${nodeName} of pod ${name} is not registered`);
  })) as NodeLike;
  const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port) throw errors.badRequest(`node ${nodeName} has no InternalIP or kubelet endpoint yet`);
  return { node: nodeName, host, port, path };
}

function logOptionsInvalid(name: string, causes: FieldError[]) {
  return errors.invalid({ group: '', kind: 'PodLogOptions' }, name, causes);
}

/**
 * A container's environment as the kubelet builds it (makeEnvironmentVariables):
 * envFrom sources first, then env entries in order, each able to reference the
 * variables defined before it with $(VAR). Of the service variables only the
 * `kubernetes` Service's are set (KUBERNETES_SERVICE_HOST, ..._PORT and the
 * Docker-link forms), which in-cluster clients read; podnet pods find other
 * Services through DNS.
 */
import { expandVars } from './expand.js';
import { parseQuantity } from './quantity.js';
import { podNamespace, type ContainerSpec, type Pod } from './types.js';

export interface EnvContext {
  podIp: string;
  /** All pod IPs, primary first (status.podIPs); defaults to [podIp]. */
  podIps?: string[];
  hostIp: string;
  hostIps?: string[];
  /** Used when pod.spec.nodeName is empty. */
  nodeName: string;
  /** Used when pod.spec.serviceAccountName is empty. */
  serviceAccountName?: string;
  /** A ConfigMap's .data by namespace/name; undefined when the ConfigMap does not exist. */
  configMaps?: (namespace: string, name: string) => Record<string, string> | undefined;
  /** A Secret's .data (base64 values, as the API serves them); undefined when the Secret does not exist. */
  secrets?: (namespace: string, name: string) => Record<string, string> | undefined;
  /** The `kubernetes` Service (default/kubernetes): its ClusterIP and port, for in-cluster clients. */
  kubernetesService?: { host: string; port: number };
  /** The node's allocatable cpu/memory, which the downward API reports for containers without limits. */
  nodeAllocatable?: { cpu?: string | number; memory?: string | number; 'ephemeral-storage'?: string | number };
}

export type EnvResult = { env: Record<string, string> } | { error: string };

class EnvError extends Error {}

/** Reads one key of a ConfigMap or Secret; undefined means "optional and absent, skip the variable". */
function keyRef(
  kind: 'ConfigMap' | 'Secret',
  ns: string,
  ref: { name: string; key: string; optional?: boolean },
  data: Record<string, string> | undefined,
): string | undefined {
  if (!data) {
    if (ref.optional) return undefined;
    // The kubelet's object caches phrase NotFound with the singular resource name.
    throw new EnvError(`${kind.toLowerCase()} "${ref.name}" not found`);
  }
  const value = data[ref.key];
  if (value === undefined) {
    if (ref.optional) return undefined;
    throw new EnvError(`couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}`);
  }
  return kind === 'Secret' ? Buffer.from(value, 'base64').toString('utf8') : value;
}

/** The variables the kubelet sets for the kubernetes Service (its service links: host, port, Docker-link forms). */
export function kubernetesServiceEnv(svc: { host: string; port: number } | undefined): Record<string, string> {
  if (!svc) return {};
  const url = `tcp://${svc.host}:${svc.port}`;
  return {
    KUBERNETES_SERVICE_HOST: svc.host,
    KUBERNETES_SERVICE_PORT: String(svc.port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(svc.port),
    KUBERNETES_PORT: url,
    [`KUBERNETES_PORT_${svc.port}_TCP`]: url,
    [`KUBERNETES_PORT_${svc.port}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${svc.port}_TCP_PORT`]: String(svc.port),
    [`KUBERNETES_PORT_${svc.port}_TCP_ADDR`]: svc.host,
  };
}

/** A downward API field for a volume file, or why it cannot be given. */
export function downwardFieldValue(
  pod: Pod,
  fieldPath: string,
  ctx: EnvContext,
): { value: string } | { error: string } {
  if (fieldPath === 'metadata.labels' || fieldPath === 'metadata.annotations') {
    const m = (fieldPath === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {};
    // The kubelet's format: key="value" lines, sorted, values quoted as Go's %q does.
    const lines = Object.keys(m)
      .sort()
      .map((k) => `${k}=${JSON.stringify(m[k])}`);
    return { value: lines.join('\n') };
  }
  try {
    return { value: fieldRefValue(pod, fieldPath, ctx) };
  } catch (e) {
    if (e instanceof EnvError) return { error: e.message };
    throw e;
  }
}

/** A downward API resource field (limits.cpu, requests.memory, ...) for a volume file. */
export function downwardResourceValue(
  pod: Pod,
  ref: { containerName?: string; resource: string; divisor?: string | number },
  ctx: EnvContext,
): { value: string } | { error: string } {
  const self = pod.spec.containers.find((c) => c.name === ref.containerName);
  if (!self) return { error: `resourceFieldRef ${ref.resource}: container "${ref.containerName ?? ''}" not found` };
  try {
    return { value: resourceFieldValue(pod, self, ref, ctx) };
  } catch (e) {
    if (e instanceof EnvError) return { error: e.message };
    throw e;
  }
}

const SUBSCRIPT = /^metadata\.(labels|annotations)\['(.*)'\]$/;

function fieldRefValue(pod: Pod, fieldPath: string, ctx: EnvContext): string {
  const sub = SUBSCRIPT.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[sub[2]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return podNamespace(pod);
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName || ctx.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName || ctx.serviceAccountName || '';
    case 'spec.restartPolicy':
      return pod.spec.restartPolicy ?? 'Always';
    case 'status.hostIP':
      return ctx.hostIp;
    case 'status.hostIPs':
      return (ctx.hostIps ?? [ctx.hostIp]).join(',');
    case 'status.podIP':
      return ctx.podIp;
    case 'status.podIPs':
      return (ctx.podIps ?? [ctx.podIp]).join(',');
    default:
      throw new EnvError(`field label not supported: ${fieldPath}`);
  }
}

function resourceFieldValue(
  pod: Pod,
  self: ContainerSpec,
  ref: { containerName?: string; resource: string; divisor?: string | number },
  ctx: EnvContext,
): string {
  const target = ref.containerName
    ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName)
    : self;
  if (!target)
    throw new EnvError(`container ${ref.containerName} not found (resourceFieldRef of container ${self.name})`);
  const [kind, resource] = ref.resource.split('.', 2) as [string, string | undefined];
  if (
    (kind !== 'limits' && kind !== 'requests') ||
    !resource ||
    !['cpu', 'memory', 'ephemeral-storage'].includes(resource)
  ) {
    throw new EnvError(`unsupported container resource : ${ref.resource}`);
  }
  let raw = target.resources?.[kind]?.[resource];
  if (raw === undefined && kind === 'limits') {
    // Without a limit the container may use the whole node, which is what the downward API reports.
    raw = ctx.nodeAllocatable?.[resource as 'cpu'];
    if (raw === undefined)
      throw new EnvError(
        `container ${target.name} has no ${ref.resource} and the node's allocatable ${resource} is unknown; set resources.limits.${resource} or pass nodeAllocatable`,
      );
  }
  try {
    const value = raw === undefined ? 0 : parseQuantity(raw);
    const divisor = parseQuantity(ref.divisor ?? 1);
    if (divisor <= 0) throw new Error(`divisor ${ref.divisor} must be positive`);
    // CPU is compared in millicores, like the kubelet, so "1m" divisors work exactly.
    const n =
      resource === 'cpu'
        ? Math.ceil(Math.round(value * 1000) / Math.round(divisor * 1000))
        : Math.ceil(value / divisor);
    return String(n);
  } catch (e) {
    throw new EnvError(`resourceFieldRef ${ref.resource} of container ${self.name}: ${(e as Error).message}`);
  }
}

/** Resolves the container's environment, or says why the container cannot start (CreateContainerConfigError). */
export function containerEnv(pod: Pod, container: ContainerSpec, ctx: EnvContext): EnvResult {
  const ns = podNamespace(pod);
  const env: Record<string, string> = kubernetesServiceEnv(ctx.kubernetesService);
  try {
    for (const from of container.envFrom ?? []) {
      const prefix = from.prefix ?? '';
      let data: Record<string, string> | undefined;
      let decode = false;
      if (from.configMapRef) {
        data = ctx.configMaps?.(ns, from.configMapRef.name);
        if (!data) {
          if (from.configMapRef.optional) continue;
          throw new EnvError(`configmap "${from.configMapRef.name}" not found`);
        }
      } else if (from.secretRef) {
        data = ctx.secrets?.(ns, from.secretRef.name);
        if (!data) {
          if (from.secretRef.optional) continue;
          throw new EnvError(`secret "${from.secretRef.name}" not found`);
        }
        decode = true;
      } else continue;
      // Sorted so the result does not depend on the object's key order.
      for (const k of Object.keys(data).sort()) {
        env[prefix + k] = decode ? Buffer.from(data[k]!, 'base64').toString('utf8') : data[k]!;
      }
    }
    for (const v of container.env ?? []) {
      let value: string | undefined = v.value ?? '';
      if (value !== '') {
        value = expandVars(value, (name) => env[name]);
      } else if (v.valueFrom) {
        const src = v.valueFrom;
        if (src.fieldRef) value = fieldRefValue(pod, src.fieldRef.fieldPath, ctx);
        else if (src.resourceFieldRef) value = resourceFieldValue(pod, container, src.resourceFieldRef, ctx);
        else if (src.configMapKeyRef)
          value = keyRef('ConfigMap', ns, src.configMapKeyRef, ctx.configMaps?.(ns, src.configMapKeyRef.name));
        else if (src.secretKeyRef)
          value = keyRef('Secret', ns, src.secretKeyRef, ctx.secrets?.(ns, src.secretKeyRef.name));
        if (value === undefined) continue;
      }
      env[v.name] = value;
    }
  } catch (e) {
    if (e instanceof EnvError) return { error: e.message };
    throw e;
  }
  return { env };
}

/** Expands $(VAR) references in a container's command and args against its environment, as the kubelet does. */
export function expandCommand(
  container: ContainerSpec,
  env: Record<string, string>,
): { command: string[]; args: string[] } {
  const lookup = (name: string) => env[name];
  return {
    command: (container.command ?? []).map((s) => expandVars(s, lookup)),
    args: (container.args ?? []).map((s) => expandVars(s, lookup)),
  };
}

/**
 * The Secrets and ConfigMaps a pod uses (volumes, projected volumes, env,
 * envFrom, imagePullSecrets): what its node must be able to read, and no
 * more (the Node authorizer's graph, the node agent's fetches).
 */

interface EnvSource {
  valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } };
}
interface EnvFromSource {
  secretRef?: { name?: string };
  configMapRef?: { name?: string };
}
export interface ContainerRefs {
  env?: EnvSource[];
  envFrom?: EnvFromSource[];
}
interface Projection {
  secret?: { name?: string };
  configMap?: { name?: string };
}
export interface PodRefsSpec {
  containers?: ContainerRefs[];
  initContainers?: ContainerRefs[];
  ephemeralContainers?: ContainerRefs[];
  imagePullSecrets?: { name?: string }[];
  volumes?: {
    secret?: { secretName?: string };
    configMap?: { name?: string };
    projected?: { sources?: Projection[] };
  }[];
}

interface PodReferences {
  secrets: Set<string>;
  configMaps: Set<string>;
}

/** The names one container's env and envFrom read. */
export function containerReferences(c: ContainerRefs, into: PodReferences = empty()): PodReferences {
  for (const e of c.env ?? []) {
    add(into.secrets, e.valueFrom?.secretKeyRef?.name);
    add(into.configMaps, e.valueFrom?.configMapKeyRef?.name);
  }
  for (const e of c.envFrom ?? []) {
    add(into.secrets, e.secretRef?.name);
    add(into.configMaps, e.configMapRef?.name);
  }
  return into;
}

/** Every Secret and ConfigMap name (in the pod's namespace) a pod spec refers to. */
export function podReferences(spec: PodRefsSpec | undefined): PodReferences {
  const refs = empty();
  if (!spec) return refs;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])])
    containerReferences(c, refs);
  for (const s of spec.imagePullSecrets ?? []) add(refs.secrets, s.name);
  for (const v of spec.volumes ?? []) {
    add(refs.secrets, v.secret?.secretName);
    add(refs.configMaps, v.configMap?.name);
    for (const p of v.projected?.sources ?? []) {
      add(refs.secrets, p.secret?.name);
      add(refs.configMaps, p.configMap?.name);
    }
  }
  return refs;
}

function empty(): PodReferences {
  return { secrets: new Set(), configMaps: new Set() };
}

function add(set: Set<string>, name: string | undefined): void {
  if (typeof name === 'string' && name) set.add(name);
}

/**
 * securityContext → what the runtime applies (pure), with the kubelet's
 * rules: container values win over the pod's, runAsNonRoot is checked
 * before start with the kubelet's messages, fsGroup joins the groups.
 */
import type { ContainerSecurity } from '../runtime/types.js';
import type { ContainerSpec, PodSpec } from './types.js';

/** The container's effective security settings, or the kubelet's CreateContainerConfigError message. */
export function containerSecurity(
  pod: PodSpec,
  c: ContainerSpec,
  podLabel: string,
): { security: ContainerSecurity } | { error: string } {
  const p = pod.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? p.runAsUser;
  const runAsGroup = sc.runAsGroup ?? p.runAsGroup;
  const runAsNonRoot = sc.runAsNonRoot ?? p.runAsNonRoot;
  const seccomp = sc.seccompProfile ?? p.seccompProfile;
  if (runAsNonRoot) {
    // The images here declare no USER: without runAsUser the container would run as root.
    const where = `(pod: "${podLabel}", container: ${c.name})`;
    if (runAsUser === undefined) return { error: `container has runAsNonRoot and image will run as root ${where}` };
    if (runAsUser === 0) return { error: `container's runAsUser breaks non-root policy ${where}` };
  }
  if (seccomp?.type === 'Localhost')
    return { error: `seccomp profile type Localhost is not supported on this node (container ${c.name})` };
  const groups = [...(p.supplementalGroups ?? []), ...(p.fsGroup !== undefined ? [p.fsGroup] : [])];
  const security: ContainerSecurity = {
    ...(sc.privileged ? { privileged: true } : {}),
    ...(runAsUser !== undefined ? { runAsUser } : {}),
    ...(runAsGroup !== undefined ? { runAsGroup } : {}),
    ...(groups.length ? { supplementalGroups: [...new Set(groups)] } : {}),
    ...(sc.capabilities ? { capabilities: sc.capabilities } : {}),
    ...(sc.readOnlyRootFilesystem ? { readOnlyRootFilesystem: true } : {}),
    ...(sc.allowPrivilegeEscalation !== undefined ? { allowPrivilegeEscalation: sc.allowPrivilegeEscalation } : {}),
    ...(seccomp?.type === 'Unconfined' ? { seccomp: 'Unconfined' as const } : {}),
  };
  return { security };
}

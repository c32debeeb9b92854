/**
 * What a CNI plugin is given (pure): its environment (the spec's CNI_*
 * parameters) and its stdin (the plugin object with the network's name and
 * cniVersion injected, runtimeConfig for declared capabilities, and
 * prevResult when chaining).
 */
import type { CniAttachment, CniCommand, CniConfList, CniPluginConf, CniResult } from './types.js';

/** The spec's rule for container IDs: alphanumerics plus - _ . (starting alphanumeric). */
export function validateContainerId(id: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(id)) {
    throw new Error(
      `invalid CNI container ID "${id}": use letters, digits, '-', '_' and '.', starting with a letter or digit`,
    );
  }
}

/** Linux interface name rules the spec points at. */
export function validateIfName(name: string): void {
  if (!name || name.length > 15 || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    throw new Error(`invalid interface name "${name}": 1-15 characters, no '/', ':' or whitespace`);
  }
}

/** CNI_ARGS: "K1=V1;K2=V2" — keys and values must not contain the separators. */
export function formatCniArgs(args: Record<string, string>): string {
  return Object.entries(args)
    .map(([k, v]) => {
      if (!k || /[=;]/.test(k) || /[;]/.test(v))
        throw new Error(`CNI_ARGS entry ${k}=${v} contains '=' or ';'; those separate entries`);
      return `${k}=${v}`;
    })
    .join(';');
}

/** Kubernetes' standard CNI_ARGS for a pod sandbox. */
export const kubernetesCniArgs = (
  podNamespace: string,
  podName: string,
  sandboxId: string,
): Record<string, string> => ({
  IgnoreUnknown: 'true',
  K8S_POD_NAMESPACE: podNamespace,
  K8S_POD_NAME: podName,
  K8S_POD_INFRA_CONTAINER_ID: sandboxId,
});

export function pluginEnv(command: CniCommand, att: CniAttachment, cniPath: string[]): Record<string, string> {
  validateContainerId(att.containerId);
  validateIfName(att.ifName);
  return {
    CNI_COMMAND: command,
    CNI_CONTAINERID: att.containerId,
    CNI_NETNS: att.netns,
    CNI_IFNAME: att.ifName,
    CNI_ARGS: formatCniArgs(att.args),
    CNI_PATH: cniPath.join(':'),
  };
}

/** Only the capabilities a plugin declares (and that have a value) reach its runtimeConfig. */
export function runtimeConfigFor(
  plugin: CniPluginConf,
  capabilityArgs: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [cap, wanted] of Object.entries(plugin.capabilities ?? {})) {
    if (wanted && capabilityArgs[cap] !== undefined) out[cap] = capabilityArgs[cap];
  }
  return Object.keys(out).length ? out : undefined;
}

/** The JSON object a plugin reads on stdin. */
export function pluginStdin(
  list: CniConfList,
  plugin: CniPluginConf,
  capabilityArgs: Record<string, unknown>,
  prevResult?: CniResult,
): Record<string, unknown> {
  const conf: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
  delete conf.runtimeConfig;
  delete conf.prevResult;
  const rc = runtimeConfigFor(plugin, capabilityArgs);
  if (rc) conf.runtimeConfig = rc;
  if (prevResult) conf.prevResult = prevResult;
  return conf;
}

/** The pod runtime (the agent's CRI): sandboxes, containers, logs. */
export type { ContainerConfig, ContainerRuntimeState, PodRuntime, SandboxConfig, SandboxState } from './types.js';
export { CniPodRuntime, type CniPodRuntimeOptions } from './pod-runtime.js';
export { podNetnsName } from './names.js';

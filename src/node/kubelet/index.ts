/** The kubelet core: pure pod decisions (DNS, hosts, env, plan, status) and the probe workers. */
export * from './types.js';
export {
  renderResolvConf,
  podDNSConfig,
  parseResolvConf,
  formatResolvConf,
  MAX_DNS_NAMESERVERS,
  MAX_DNS_SEARCH_PATHS,
  MAX_DNS_SEARCH_LIST_CHARS,
} from './dns.js';
export type { NodeDNS, PodDNS, ParsedResolvConf } from './dns.js';
export { renderHosts, podHostname } from './hosts.js';
export type { HostsOptions, PodHostname } from './hosts.js';
export { containerEnv, downwardFieldValue, downwardResourceValue, expandCommand, kubernetesServiceEnv } from './env.js';
export type { EnvContext, EnvResult } from './env.js';
export { expandVars } from './expand.js';
export { parseQuantity } from './quantity.js';
export { nextBackoff, backoffRetryAt, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, BACKOFF_RESET_MS } from './backoff.js';
export type { BackoffEntry } from './backoff.js';
export { planPod, nextAttempt, DEFAULT_TERMINATION_GRACE_SECONDS } from './plan.js';
export type { PlanInput, PodPlan, ContainerStart, ContainerKill, BackoffWait } from './plan.js';
export { podStatus, podPhase, statusEqual } from './status.js';
export type { StatusInput } from './status.js';
export { containerStatuses, containerId } from './container-status.js';
export type { WaitingInfo, WaitingReason } from './container-status.js';
export { ProbeManager, ProbeWorker } from './probes.js';
export type { ProbeKind, ProbeEvent, ProbeManagerDeps } from './probes.js';
export { runProbe, resolvePort, probeDefaults, PROBE_USER_AGENT } from './probe-run.js';
export type { ProbeOutcome, ProbeTarget, ExecFn } from './probe-run.js';
export { containerSecurity } from './security.js';
export { containerResources, qosClass } from './resources.js';
export type { QosClass } from './resources.js';

/** The CNI runtime: node conflist rendering, plugin invocation, result cache. */
export { CNI_VERSION } from './types.js';
export type { CniAttachment, CniCommand, CniConfList, CniPluginConf, CniPortMapping, CniResult } from './types.js';
export {
  confListForPod,
  LOOPBACK_NETWORK_NAME,
  POD_BRIDGE,
  POD_NETWORK_NAME,
  podMtuFor,
  renderLoopbackConfList,
  renderPodNetworkConfList,
  type NodeNetworkFacts,
} from './conflist.js';
export { CniRuntime, type CniRuntimeOptions } from './cni-runtime.js';
export { CniPluginError, parseCniError, parseCniResult, podIPv4 } from './result.js';
export { kubernetesCniArgs } from './invocation.js';

/** The overlay: pod-to-pod traffic between nodes (vxlan or host-gw), flanneld's job in the node agent. */
export { startOverlay, type Overlay, type OverlayOptions } from './overlay.js';
export { desiredDataplane, type DesiredContext, type DesiredResult, type SkippedNode } from './desired.js';
export { diffDataplane } from './diff.js';
export { changeToArgv, describeChange } from './commands.js';
export { backendMtu } from './mtu.js';
export { peerFromNode, selfAnnotations, annotationPatch, type OverlayNode, type PeerResult } from './peers.js';
export { readDataplane, applyChanges, removeOverlayDataplane } from './dataplane-host.js';
export { vtepMacFor, vtepAddressFor, networkAddress } from './addr.js';
export * from './constants.js';
export * from './types.js';

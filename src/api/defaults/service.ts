/** Service defaults (core/v1 SetDefaults_Service) plus the clusterIP/clusterIPs sync and single-stack family the service REST layer sets. */
import type { KObject } from '../meta.js';

type Obj = Record<string, unknown>;
const isV6 = (ip: string) => ip.includes(':');

export function defaultService(o: KObject): void {
  const s = (o.spec ??= {}) as Obj;
  s.sessionAffinity ??= 'None';
  s.type ??= 'ClusterIP';
  for (const p of (Array.isArray(s.ports) ? s.ports : []) as Obj[]) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '')
      p.targetPort = p.port;
  }
  // Every externally reachable Service has a policy: NodePorts, load balancers and externalIPs (kube's defaults).
  const external =
    s.type === 'NodePort' || s.type === 'LoadBalancer' || (Array.isArray(s.externalIPs) && s.externalIPs.length > 0);
  if (external && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if (s.type !== 'ExternalName' && (s.internalTrafficPolicy === undefined || s.internalTrafficPolicy === null))
    s.internalTrafficPolicy = 'Cluster';
  if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
  if (s.sessionAffinity === 'ClientIP') {
    const cfg = (s.sessionAffinityConfig ??= {}) as Obj;
    const clientIP = (cfg.clientIP ??= {}) as Obj;
    clientIP.timeoutSeconds ??= 10800;
  }
  if (s.type === 'ExternalName') return;
  // The service strategy keeps clusterIP and clusterIPs[0] in step.
  const ips = Array.isArray(s.clusterIPs) ? (s.clusterIPs as string[]) : [];
  if (typeof s.clusterIP === 'string' && s.clusterIP !== '' && ips.length === 0) s.clusterIPs = [s.clusterIP];
  else if ((s.clusterIP === undefined || s.clusterIP === '') && ips.length > 0) s.clusterIP = ips[0];
  // podnet clusters are single-stack: family follows the (allocated) clusterIP, IPv4 otherwise.
  s.ipFamilyPolicy ??= 'SingleStack';
  const first = typeof s.clusterIP === 'string' && s.clusterIP !== 'None' ? s.clusterIP : '';
  if (!Array.isArray(s.ipFamilies) || s.ipFamilies.length === 0)
    s.ipFamilies = [first && isV6(first) ? 'IPv6' : 'IPv4'];
}

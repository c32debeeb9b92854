/** Small YAML manifests the e2e tests hand to kubectl, written the way users write them. */
import { DEFAULT_CLUSTER_CONFIG } from '../api/cluster-config.js';
import { ipv4ToNumber, parseIpv4Cidr } from '../api/ipv4.js';

interface ServiceOpts {
  namespace?: string;
  port?: number;
  targetPort?: number;
  labels?: Record<string, string>;
  clusterIP?: string;
  selector?: Record<string, string>;
  /** Extra lines appended under `spec:` (already indented by two spaces). */
  extraSpec?: string;
}

function mapYaml(m: Record<string, string>, indent: string): string {
  return Object.entries(m)
    .map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`)
    .join('\n');
}

export function serviceYaml(name: string, o: ServiceOpts = {}): string {
  const labels = o.labels && Object.keys(o.labels).length ? `  labels:\n${mapYaml(o.labels, '    ')}\n` : '';
  const ns = o.namespace ? `  namespace: ${o.namespace}\n` : '';
  const selector = o.selector ?? { app: name };
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
${ns}${labels}spec:
  selector:
${mapYaml(selector, '    ')}
${o.clusterIP ? `  clusterIP: ${o.clusterIP}\n` : ''}  ports:
  - port: ${o.port ?? 80}
    targetPort: ${o.targetPort ?? o.port ?? 80}
${o.extraSpec ?? ''}`;
}

export function podYaml(name: string, o: { namespace?: string; labels?: Record<string, string> } = {}): string {
  const labels = o.labels ?? { app: name };
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${o.namespace ? `  namespace: ${o.namespace}\n` : ''}  labels:
${mapYaml(labels, '    ')}
spec:
  containers:
  - name: app
    image: registry.k8s.io/pause:3.9
`;
}

export function nodeYaml(name: string): string {
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels:
    kubernetes.io/hostname: ${name}
    e2e.podnet.io/hand-made: "true"
`;
}

export function configMapYaml(name: string, namespace: string): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
data:
  greeting: hello
`;
}

/** Several documents in one file, as `kubectl create -f` reads them. */
export function multiDoc(...docs: string[]): string {
  return docs.map((d) => d.trimEnd() + '\n').join('---\n');
}

/** True when ip is in the service CIDR the server allocates from by default. */
export function inServiceCidr(ip: string): boolean {
  const n = ipv4ToNumber(ip);
  const { base, size } = parseIpv4Cidr(DEFAULT_CLUSTER_CONFIG.serviceCidr);
  return n !== undefined && n >= base && n < base + size;
}

export function namespaceYaml(name: string): string {
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
`;
}

/**
 * The objects the benchmark loads. Sizes resemble real ones: a Service with
 * a selector and two ports, a one-container Pod, EndpointSlices of N
 * endpoints with targetRefs and conditions.
 */

export function namespaceName(i: number): string {
  return `bench-${String(i).padStart(3, '0')}`;
}

export function namespaceObject(name: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'podnet.io/bench': 'apiserver' } } };
}

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(5, '0')}`;
}

export function serviceObject(i: number, namespace: string): object {
  const app = `app-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(i), namespace, labels: { app, tier: 'backend' } },
    spec: {
      selector: { app },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics' },
      ],
    },
  };
}

export function podObject(i: number, namespace: string, services: number): object {
  const app = `app-${i % Math.max(1, services)}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${String(i).padStart(5, '0')}`, namespace, labels: { app, tier: 'backend' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example/app:1.0',
          args: ['--listen=:8080'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

/** Slice i holds endpoints i*size .. i*size+size-1, with addresses unique across all slices. */
export function endpointSliceObject(i: number, namespace: string, size: number, services: number): object {
  const svc = serviceName(i % Math.max(1, services));
  const endpoints = [];
  for (let k = 0; k < size; k++) {
    const n = i * size + k;
    endpoints.push({
      addresses: [`10.${128 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${n % 50}`,
      targetRef: { kind: 'Pod', namespace, name: `${svc}-${n}` },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc}-${String(i).padStart(5, '0')}`,
      namespace,
      labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'bench.podnet.io' },
    },
    addressType: 'IPv4',
    ports: [
      { name: 'http', protocol: 'TCP', port: 8080 },
      { name: 'metrics', protocol: 'TCP', port: 9090 },
    ],
    endpoints,
  };
}

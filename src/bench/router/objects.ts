/**
 * The bench's API objects: a Service whose `podnet.io/routes` annotation
 * names its host (gorouter style, no Ingress), and one EndpointSlice of
 * ready endpoints without targetRef (no Pod objects needed; the router
 * then names each server by its address).
 */
import { findResource } from '../../api/resources.js';
import type { KObject } from '../../api/meta.js';
import type { KubeClient } from '../../client/client.js';
import { runPool } from '../apiserver/pool.js';
import { BACKEND_PORT, BACKENDS } from './net.js';

export const NAMESPACE = 'default';
export const servicesRes = findResource('', 'v1', 'services')!;
export const slicesRes = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

/** The route of the throughput and single-route change phases. */
export const BENCH_SERVICE = 'bench';
export const BENCH_HOST = 'bench.example.com';

export function serviceObj(name: string, host: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NAMESPACE, annotations: { 'podnet.io/routes': host } },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: BACKEND_PORT }] },
  };
}

const sliceName = (service: string): string => `${service}-bench`;

const endpoints = (addresses: readonly string[]) =>
  addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } }));

export function sliceObj(service: string, addresses: readonly string[]): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName(service),
      namespace: NAMESPACE,
      labels: { 'kubernetes.io/service-name': service },
    },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: BACKEND_PORT }],
    endpoints: endpoints(addresses),
  };
}

/** A routed Service: its slice first, so the route has endpoints from the moment it exists. */
export async function createRoute(client: KubeClient, service: string, host: string, addresses: readonly string[]) {
  await client.create(slicesRes, NAMESPACE, sliceObj(service, addresses));
  await client.create(servicesRes, NAMESPACE, serviceObj(service, host));
}

/** The endpoint change: the slice's endpoints replaced (a merge patch replaces the whole list). */
export function setEndpoints(client: KubeClient, service: string, addresses: readonly string[]): Promise<KObject> {
  return client.patch(slicesRes, NAMESPACE, sliceName(service), 'merge', { endpoints: endpoints(addresses) });
}

/** The scale phase's i-th route: Service s-NNNNN on host s-NNNNN.scale.example.com. */
export const scaleService = (i: number): string => `s-${String(i).padStart(5, '0')}`;
export const scaleHost = (i: number): string => `${scaleService(i)}.scale.example.com`;

/** The endpoints of scale route i: both nginx backends, or one (alternating) when `perRoute` is 1. */
export const scaleEndpoints = (i: number, perRoute: 1 | 2): readonly string[] =>
  perRoute === 2 ? BACKENDS : [BACKENDS[i % 2]!];

/** Routes 0..count-1, each a Service and its slice, 32 creates in flight. */
export async function createScaleRoutes(client: KubeClient, count: number, perRoute: 1 | 2): Promise<void> {
  await runPool(count, 32, (i) => createRoute(client, scaleService(i), scaleHost(i), scaleEndpoints(i, perRoute)));
}

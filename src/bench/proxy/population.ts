/**
 * Grows the cluster's Services through the API: background Services with
 * ten synthetic endpoints each (created with many requests in flight), and
 * the per-sample Services the latency phase changes.
 */
import { findResource } from '../../api/resources.js';
import type { KubeClient } from '../../client/client.js';
import { runPool } from '../apiserver/pool.js';
import { clusterIpFor, NAMESPACE, REMOTE_NODE, serviceObj, sliceObj, syntheticEndpoints } from './objects.js';

export const servicesRes = findResource('', 'v1', 'services')!;
export const slicesRes = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

export class Population {
  /** Benchmark Services in the API now (the API's own `kubernetes` Service not counted). */
  services = 0;
  private nextIndex = 0;

  constructor(private readonly client: KubeClient) {}

  /** The next unused ClusterIP index (every Service gets its own address). */
  takeIndex(): number {
    return this.nextIndex++;
  }

  async createService(name: string, index: number): Promise<void> {
    await this.client.create(servicesRes, NAMESPACE, serviceObj(name, clusterIpFor(index)));
    this.services += 1;
  }

  /** A slice of `addresses` on `nodeName` (default: the proxy's own node, where the real endpoints are). */
  async createSlice(service: string, addresses: string[], nodeName?: string): Promise<void> {
    await this.client.create(slicesRes, NAMESPACE, sliceObj(service, addresses, nodeName));
  }

  async deleteService(name: string): Promise<void> {
    await this.client.delete(servicesRes, NAMESPACE, name);
    this.services -= 1;
  }

  async deleteSlice(service: string): Promise<void> {
    await this.client.delete(slicesRes, NAMESPACE, `${service}-bench`);
  }

  /** Background Services (Service, then its slice of 10 synthetic endpoints) until `total` exist. */
  async growTo(total: number, concurrency = 32): Promise<void> {
    const count = total - this.services;
    if (count <= 0) return;
    const indexes = Array.from({ length: count }, () => this.takeIndex());
    await runPool(count, concurrency, async (k) => {
      const i = indexes[k]!;
      const name = `bg-${String(i).padStart(6, '0')}`;
      await this.createService(name, i);
      await this.createSlice(name, syntheticEndpoints(i), REMOTE_NODE);
    });
  }
}

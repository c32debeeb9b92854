/**
 * Services: a ClusterIP (unless headless or ExternalName) and NodePorts
 * (for NodePort and LoadBalancer) are allocated with the create and kept
 * for the Service's lifetime; they are released when it goes.
 */
import { formatPortRange, type ClusterConfig, type PortRange } from '../../../api/cluster-config.js';
import { errors, type FieldError } from '../../../api/errors.js';
import type { KObject } from '../../../api/meta.js';
import type { Store } from '../../../store/store.js';
import { AllocationError, RangeAllocator, parseCidr } from '../../allocators/range-allocator.js';
import { ipv4ToNumber, numberToIpv4 } from '../../../api/ipv4.js';
import type { Registry } from '../registry.js';
import { findResource } from '../../../api/resources.js';
import type { Strategy, Undo, WriteContext } from '../strategy.js';

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  nodePort?: number;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
}

const specOf = (o: KObject) => (o.spec ??= {}) as ServiceSpec;
const usesNodePorts = (s: ServiceSpec) => s.type === 'NodePort' || s.type === 'LoadBalancer';
const hasClusterIP = (s: ServiceSpec) => s.type !== 'ExternalName' && s.clusterIP !== 'None';
const needsHealthCheckPort = (s: ServiceSpec) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';

export class ServiceAllocations {
  readonly ips: RangeAllocator;
  readonly ports: RangeAllocator;

  readonly serviceCidr: string;
  private readonly nodePortRange: PortRange;

  constructor(store: Store, cluster: ClusterConfig) {
    this.serviceCidr = cluster.serviceCidr;
    this.nodePortRange = cluster.nodePortRange;
    const { base, size } = parseCidr(cluster.serviceCidr);
    this.ips = new RangeAllocator({
      store,
      prefix: '/registry/ranges/serviceips/',
      first: base + 1,
      size: size - 2,
      // Handed out only on request (kube-dns asks for it), never picked for another Service.
      reserved: [ipv4ToNumber(cluster.clusterDnsIp)!],
      format: numberToIpv4,
      parse: ipv4ToNumber,
    });
    this.ports = new RangeAllocator({
      store,
      prefix: '/registry/ranges/servicenodeports/',
      first: cluster.nodePortRange.first,
      size: cluster.nodePortRange.last - cluster.nodePortRange.first + 1,
      format: String,
      parse: (s) => (/^\d+$/.test(s) ? Number(s) : undefined),
    });
  }

  async init(): Promise<void> {
    await this.ips.init();
    await this.ports.init();
  }

  /** Reconcile allocations with the Services that exist (frees leaks after a crash). */
  async repair(registry: Registry): Promise<void> {
    const services = await registry.listAll(findResource('', 'v1', 'services')!);
    const ips: number[] = [],
      ports: number[] = [];
    for (const svc of services) {
      const s = specOf(svc);
      const ip = s.clusterIP ? ipv4ToNumber(s.clusterIP) : undefined;
      if (ip !== undefined) ips.push(ip);
      for (const p of s.ports ?? []) if (p.nodePort) ports.push(p.nodePort);
      if (s.healthCheckNodePort) ports.push(s.healthCheckNodePort);
    }
    await this.ips.repair(ips);
    await this.ports.repair(ports);
  }

  strategy(): Strategy {
    return {
      prepareForCreate: (obj) => {
        obj.status = { loadBalancer: {} };
      },
      prepareForUpdate: (obj, old) => {
        // A PUT that leaves out allocated values keeps them, as kube does.
        const s = specOf(obj),
          o = specOf(old);
        if (!s.clusterIP && o.clusterIP && hasClusterIP(s) && hasClusterIP(o)) {
          s.clusterIP = o.clusterIP;
          s.clusterIPs = o.clusterIPs;
        }
        if (usesNodePorts(s) && usesNodePorts(o)) {
          for (const p of s.ports ?? []) {
            if (p.nodePort) continue;
            const same = (o.ports ?? []).find(
              (q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'),
            );
            if (same?.nodePort) p.nodePort = same.nodePort;
          }
        }
        if (needsHealthCheckPort(s) && needsHealthCheckPort(o) && !s.healthCheckNodePort)
          s.healthCheckNodePort = o.healthCheckNodePort;
      },
      beforeCreate: (obj, ctx) => this.allocateFor(obj, undefined, ctx),
      beforeUpdate: (obj, old, ctx) => this.allocateFor(obj, old, ctx),
      afterUpdate: (obj, old) => this.releaseUnused(old, obj),
      afterDelete: (obj) => this.releaseUnused(obj, undefined),
    };
  }

  /** Allocate what `obj` needs beyond what `old` already holds; returns the undo. */
  private async allocateFor(obj: KObject, old: KObject | undefined, ctx: WriteContext): Promise<Undo> {
    const s = specOf(obj);
    const o = old ? specOf(old) : undefined;
    const owner = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const taken: { ips: number[]; ports: number[] } = { ips: [], ports: [] };
    const undo: Undo = async () => {
      if (ctx.dryRun) return;
      for (const v of taken.ips) await this.ips.release(v);
      for (const v of taken.ports) await this.ports.release(v);
    };
    const fail = async (err: FieldError): Promise<never> => {
      await undo();
      throw errors.invalid({ group: '', kind: 'Service' }, obj.metadata.name ?? '', [err]);
    };
    if (!hasClusterIP(s)) {
      if (s.type === 'ExternalName') {
        delete s.clusterIP;
        delete s.clusterIPs;
      } else s.clusterIPs = ['None'];
    } else if (!(o && hasClusterIP(o) && o.clusterIP && o.clusterIP === s.clusterIP)) {
      const requested = s.clusterIP || s.clusterIPs?.[0];
      if (requested) {
        const n = ipv4ToNumber(requested);
        try {
          if (n === undefined) throw new AllocationError('out-of-range');
          await this.ips.allocate(n, owner, ctx.dryRun);
          taken.ips.push(n);
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
          const why =
            e.why === 'allocated'
              ? 'provided IP is already allocated'
              : `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.serviceCidr}`;
          await fail({
            type: 'FieldValueInvalid',
            field: 'spec.clusterIPs',
            value: [requested],
            detail: `failed to allocate IP ${requested}: ${why}`,
          });
        }
        s.clusterIP = requested;
      } else {
        try {
          const n = await this.ips.allocateNext(owner, ctx.dryRun);
          taken.ips.push(n);
          s.clusterIP = numberToIpv4(n);
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
          await fail({
            type: 'FieldValueInvalid',
            field: 'spec.clusterIPs',
            value: [],
            detail: `failed to allocate IP: range is full`,
          });
        }
      }
      s.clusterIPs = [s.clusterIP!];
    }
    if (usesNodePorts(s)) {
      const held = new Set(
        o && usesNodePorts(o) ? (o.ports ?? []).map((p) => p.nodePort).filter((p): p is number => !!p) : [],
      );
      if (o?.healthCheckNodePort) held.add(o.healthCheckNodePort);
      const ports = s.ports ?? [];
      for (let i = 0; i < ports.length; i++) {
        const p = ports[i]!;
        const field = `spec.ports[${i}].nodePort`;
        if (p.nodePort && held.has(p.nodePort)) continue;
        try {
          if (p.nodePort) {
            // Several ports of one Service may share a NodePort across protocols.
            if (!ports.slice(0, i).some((q) => q.nodePort === p.nodePort)) {
              await this.ports.allocate(p.nodePort, owner, ctx.dryRun);
              taken.ports.push(p.nodePort);
            }
          } else {
            p.nodePort = await this.ports.allocateNext(owner, ctx.dryRun);
            taken.ports.push(p.nodePort);
          }
        } catch (e) {
          if (!(e instanceof AllocationError)) throw e;
          const detail =
            e.why === 'allocated'
              ? 'provided port is already allocated'
              : e.why === 'full'
                ? 'range is full'
                : `provided port is not in the valid range. The range of valid ports is ${formatPortRange(this.nodePortRange)}`;
          await fail({ type: 'FieldValueInvalid', field, value: p.nodePort ?? 0, detail });
        }
      }
    } else {
      for (const p of s.ports ?? []) delete p.nodePort;
    }
    if (needsHealthCheckPort(s) && !(s.healthCheckNodePort && o?.healthCheckNodePort === s.healthCheckNodePort)) {
      try {
        if (s.healthCheckNodePort) await this.ports.allocate(s.healthCheckNodePort, owner, ctx.dryRun);
        else s.healthCheckNodePort = await this.ports.allocateNext(owner, ctx.dryRun);
        taken.ports.push(s.healthCheckNodePort);
      } catch (e) {
        if (!(e instanceof AllocationError)) throw e;
        await fail({
          type: 'FieldValueInvalid',
          field: 'spec.healthCheckNodePort',
          value: s.healthCheckNodePort ?? 0,
          detail: 'provided port is already allocated',
        });
      }
    } else if (!needsHealthCheckPort(s)) {
      delete s.healthCheckNodePort;
    }
    return undo;
  }

  /** Free what `before` held and `after` (if any) no longer does. */
  private async releaseUnused(before: KObject, after: KObject | undefined): Promise<void> {
    const b = specOf(before);
    const a = after ? specOf(after) : undefined;
    if (b.clusterIP && hasClusterIP(b) && !(a && hasClusterIP(a) && a.clusterIP === b.clusterIP)) {
      const n = ipv4ToNumber(b.clusterIP);
      if (n !== undefined) await this.ips.release(n);
    }
    const keep = new Set<number>();
    if (a) {
      for (const p of a.ports ?? []) if (p.nodePort) keep.add(p.nodePort);
      if (a.healthCheckNodePort) keep.add(a.healthCheckNodePort);
    }
    const had = [...(b.ports ?? []).map((p) => p.nodePort), b.healthCheckNodePort].filter((p): p is number => !!p);
    for (const p of new Set(had)) if (!keep.has(p)) await this.ports.release(p);
  }
}

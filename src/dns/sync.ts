/**
 * Informers -> DnsState: Services, EndpointSlices and Pods from the API,
 * applied per event; a Warning Event on a Service that loses a business
 * name to another (once per name and winner).
 */
import { findResource } from '../api/resources.js';
import type { KObject } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { Informer, keyOf } from '../client/informer.js';
import type { DnsState } from './state.js';
import type { ClaimOutcome } from './zone/business.js';
import type { DnsEndpointSlice, DnsPod, DnsService } from './zone/objects.js';

const res = {
  services: findResource('', 'v1', 'services')!,
  pods: findResource('', 'v1', 'pods')!,
  events: findResource('', 'v1', 'events')!,
  endpointSlices: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
};

export interface DnsSync {
  synced(): boolean;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

export function startSync(client: KubeClient, state: DnsState, log: (m: string) => void): DnsSync {
  const onError = (e: unknown) => log(`dns: watch error (retrying): ${(e as Error).message ?? e}`);
  const services = new Informer<DnsService>(client, res.services, { onError });
  const slices = new Informer<DnsEndpointSlice>(client, res.endpointSlices, { onError });
  const pods = new Informer<DnsPod>(client, res.pods, { onError });
  const warned = new Set<string>();

  state.onClaims = (outcomes: ClaimOutcome[]) => {
    for (const o of outcomes) {
      for (const loser of o.losers) {
        const key = `${o.name}|${loser.serviceKey}|${o.winner!.serviceKey}`;
        if (warned.has(key)) continue;
        warned.add(key);
        const [ns, name] = loser.serviceKey.split('/') as [string, string];
        const svc = services.getByName(ns, name);
        if (svc) void recordWarning(client, svc, 'DNSNameConflict',
          `business name "${o.name}" is already served by Service ${o.winner!.serviceKey} (claimed first); remove it from ${'podnet.io/dns-names'} here or from the other Service`, log);
      }
    }
  };

  services.addHandlers({
    onAdd: (s) => state.setService(s),
    onUpdate: (_o, s) => state.setService(s),
    onDelete: (s) => state.deleteService(s.metadata.namespace!, s.metadata.name!),
  });
  slices.addHandlers({
    onAdd: (s) => state.setSlice(s),
    onUpdate: (_o, s) => state.setSlice(s),
    onDelete: (s) => state.deleteSlice(s.metadata.namespace!, s.metadata.name!),
  });
  pods.addHandlers({
    onAdd: (p) => state.setPod(keyOf(p), p),
    onUpdate: (_o, p) => state.setPod(keyOf(p), p),
    onDelete: (p) => state.setPod(keyOf(p), undefined),
  });
  const all = [services, slices, pods];
  for (const i of all) i.start();
  return {
    synced: () => all.every((i) => i.hasSynced()),
    waitForSync: async () => { await Promise.all(all.map((i) => i.waitForSync())); },
    stop: async () => { await Promise.all(all.map((i) => i.stop())); },
  };
}

async function recordWarning(client: KubeClient, obj: KObject, reason: string, message: string, log: (m: string) => void): Promise<void> {
  const now = new Date();
  const ts = now.toISOString().replace(/\.\d+Z$/, 'Z');
  const ns = obj.metadata.namespace ?? 'default';
  try {
    await client.create(res.events, ns, {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, namespace: ns },
      involvedObject: { apiVersion: 'v1', kind: 'Service', name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      reason, message, type: 'Warning',
      source: { component: 'podnet-dns' }, reportingComponent: 'podnet-dns', reportingInstance: '',
      firstTimestamp: ts, lastTimestamp: ts, count: 1,
    } as KObject);
  } catch (e) {
    log(`dns: could not record ${reason} event on Service ${ns}/${obj.metadata.name}: ${(e as Error).message}`);
  }
}

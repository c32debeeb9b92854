/**
 * Informers -> DnsState: Services, EndpointSlices and Pods from the API,
 * applied per event; a Warning Event on a Service that loses a business
 * name to another (once per name and winner). The informers keep only the
 * fields DNS reads (zone/slim.ts) and list in pages, so memory grows with
 * the records, not with whole API objects.
 */
import { findResource } from '../api/resources.js';
import type { KubeClient } from '../client/client.js';
import { recordEvent } from '../client/events.js';
import { Informer, keyOf } from '../client/informer.js';
import { SliceRevisionWatermark } from '../client/endpoints-applied.js';
import type { DnsState } from './state.js';
import type { ClaimOutcome } from './zone/business.js';
import type { DnsEndpointSlice, DnsPod, DnsService } from './zone/objects.js';
import { slimPod, slimService, slimServiceKey, slimSlice } from './zone/slim.js';
import { warn } from '../log/log.js';

const res = {
  services: findResource('', 'v1', 'services')!,
  pods: findResource('', 'v1', 'pods')!,
  endpointSlices: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
};
/** Objects per list page: bounds what is parsed at once on a (re)list of a large cluster. */
const PAGE_SIZE = 100;

interface DnsSync {
  synced(): boolean;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

export function startSync(
  client: KubeClient,
  state: DnsState,
  log: (m: string) => void,
  /** Called when the answers reflect every EndpointSlice change up to this resourceVersion. */
  onApplied?: (sliceRevision: string) => void,
): DnsSync {
  const onError = (e: unknown) => warn(log, `watch error (retrying): ${(e as Error).message ?? e}`);
  const services = new Informer<DnsService>(client, res.services, {
    onError,
    transform: slimService,
    key: slimServiceKey,
    pageSize: PAGE_SIZE,
    store: state.services,
  });
  const slices = new Informer<DnsEndpointSlice>(client, res.endpointSlices, {
    onError,
    transform: slimSlice,
    pageSize: PAGE_SIZE,
  });
  const pods = new Informer<DnsPod>(client, res.pods, { onError, transform: slimPod, pageSize: PAGE_SIZE });
  const warned = new Set<string>();

  state.onClaims = (outcomes: ClaimOutcome[]) => {
    for (const o of outcomes) {
      for (const loser of o.losers) {
        const key = `${o.name}|${loser.serviceKey}|${o.winner!.serviceKey}`;
        if (warned.has(key)) continue;
        warned.add(key);
        const [ns, name] = loser.serviceKey.split('/') as [string, string];
        const svc = services.getByName(ns, name);
        if (svc)
          void recordEvent(
            client,
            log,
            svc,
            'Warning',
            'DNSNameConflict',
            `business name "${o.name}" is already served by Service ${o.winner!.serviceKey} (claimed first); remove it from ${'podnet.io/dns-names'} here or from the other Service`,
            'podnet-dns',
          );
      }
    }
  };

  services.addHandlers({
    onAdd: (s) => state.setService(s, undefined),
    onUpdate: (o, s) => state.setService(s, o),
    onDelete: (s) => state.deleteService(s),
  });
  // The zone changes within the event: what it answers is applied as soon as the handler returns.
  const sliceRevision = new SliceRevisionWatermark();
  const applied = (s: DnsEndpointSlice) => {
    sliceRevision.observe(s);
    onApplied?.(sliceRevision.current);
  };
  slices.addHandlers({
    onAdd: (s) => {
      state.setSlice(s);
      applied(s);
    },
    onUpdate: (_o, s) => {
      state.setSlice(s);
      applied(s);
    },
    onDelete: (s) => {
      state.deleteSlice(s.metadata.namespace!, s.metadata.name!);
      applied(s);
    },
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
    waitForSync: async () => {
      await Promise.all(all.map((i) => i.waitForSync()));
    },
    stop: async () => {
      await Promise.all(all.map((i) => i.stop()));
    },
  };
}

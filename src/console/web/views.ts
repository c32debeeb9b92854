/** The tables of the console, drawn from the informers' caches. */
import { el, fillTable, row } from './dom.js';
import { age, eventTime, newestFirst, nodeStatus, podReady, podRestarts, podStatus } from './format.js';
import { buildNetworkPicture, type NetworkPicture } from './network-model.js';
import type {
  EndpointSliceObject,
  EventObject,
  IngressObject,
  NodeObject,
  PodObject,
  ServiceObject,
} from './objects.js';
import { keyOf } from './objects.js';

export interface Caches {
  nodes: Map<string, NodeObject>;
  pods: Map<string, PodObject>;
  services: Map<string, ServiceObject>;
  slices: Map<string, EndpointSliceObject>;
  ingresses: Map<string, IngressObject>;
  events: Map<string, EventObject>;
}

const sorted = <T extends { metadata: { name: string; namespace?: string } }>(m: Map<string, T>): T[] =>
  [...m.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

export function picture(c: Caches, clusterDomain: string): NetworkPicture {
  return buildNetworkPicture(
    {
      nodes: [...c.nodes.values()],
      pods: [...c.pods.values()],
      services: [...c.services.values()],
      slices: [...c.slices.values()],
      ingresses: [...c.ingresses.values()],
    },
    clusterDomain,
  );
}

export function renderNodes(table: HTMLTableElement, c: Caches, now: number): void {
  const podsOn = (name: string) => [...c.pods.values()].filter((p) => p.spec?.nodeName === name).length;
  fillTable(
    table,
    sorted(c.nodes).map((n) => {
      const status = nodeStatus(n);
      return row(
        n.metadata.name,
        el('span', { class: status.startsWith('Ready') ? 'ok' : 'bad' }, status),
        n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
        n.spec?.podCIDR ?? '',
        n.metadata.annotations?.['podnet.io/backend-type'] ?? '',
        podsOn(n.metadata.name),
        age(n.metadata.creationTimestamp, now),
      );
    }),
    'no nodes',
  );
}

export function renderPods(table: HTMLTableElement, c: Caches, now: number): void {
  fillTable(
    table,
    sorted(c.pods).map((p) => {
      const status = podStatus(p);
      const key = keyOf(p);
      const actions = (p.spec?.containers ?? []).map((ct) =>
        el(
          'span',
          { class: 'actions' },
          el(
            'button',
            { 'data-action': 'terminal', 'data-pod': key, 'data-container': ct.name, title: `a shell in ${ct.name}` },
            `⌨ ${ct.name}`,
          ),
          el(
            'button',
            { 'data-action': 'logs', 'data-pod': key, 'data-container': ct.name, title: `${ct.name}'s log, followed` },
            'log',
          ),
        ),
      );
      const tr = row(
        p.metadata.namespace ?? '',
        p.metadata.name,
        podReady(p),
        el('span', { class: status === 'Running' || status === 'Succeeded' ? 'ok' : 'bad' }, status),
        podRestarts(p),
        p.status?.podIP ?? '',
        p.spec?.nodeName ?? '',
        age(p.metadata.creationTimestamp, now),
        el('span', {}, ...actions),
      );
      tr.dataset['pod'] = key;
      return tr;
    }),
    'no pods',
  );
}

export function renderServices(table: HTMLTableElement, pic: NetworkPicture): void {
  fillTable(
    table,
    pic.services.map((s) =>
      row(
        s.namespace,
        s.name,
        s.type,
        s.clusterIp ?? '',
        s.ports.join(', '),
        el('span', { class: 'list' }, ...s.dnsNames.map((n) => el('div', {}, n))),
        el('span', { class: 'list' }, ...s.routes.map((r) => el('div', {}, r))),
        el(
          'span',
          { class: 'list' },
          ...s.endpoints.map((e) =>
            el(
              'div',
              { class: e.ready ? 'ok' : 'bad' },
              `${e.ip}${e.pod ? ` ${e.pod.split('/')[1]}` : ''}${e.ready ? '' : ' (not ready)'}`,
            ),
          ),
        ),
      ),
    ),
    'no Services',
  );
}

export function renderIngresses(table: HTMLTableElement, c: Caches): void {
  const rows: HTMLTableRowElement[] = [];
  for (const ing of sorted(c.ingresses)) {
    const tls = new Set((ing.spec?.tls ?? []).flatMap((t) => t.hosts ?? []));
    const cls = ing.spec?.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'] ?? '(default)';
    for (const rule of ing.spec?.rules ?? [])
      for (const p of rule.http?.paths ?? []) {
        const svc = p.backend.service;
        rows.push(
          row(
            ing.metadata.namespace ?? '',
            ing.metadata.name,
            cls,
            `${tls.has(rule.host ?? '') ? 'https' : 'http'}://${rule.host ?? '*'}${p.path ?? '/'}`,
            p.pathType ?? '',
            svc ? `${svc.name}:${svc.port?.number ?? svc.port?.name ?? ''}` : '',
          ),
        );
      }
  }
  fillTable(table, rows, 'no Ingress routes');
}

export function renderEvents(table: HTMLTableElement, c: Caches, now: number): void {
  fillTable(
    table,
    [...c.events.values()]
      .sort(newestFirst)
      .slice(0, 200)
      .map((e) =>
        row(
          age(eventTime(e), now),
          el('span', { class: e.type === 'Warning' ? 'bad' : '' }, e.type ?? ''),
          e.reason ?? '',
          `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.namespace ? `${e.involvedObject.namespace}/` : ''}${e.involvedObject?.name ?? ''}`,
          e.message ?? '',
          e.count ?? 1,
        ),
      ),
    'no Events',
  );
}

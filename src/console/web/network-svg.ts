/**
 * The network picture drawn as SVG markup: Services across the top, the
 * nodes below with their pods, a line from each Service to each pod it
 * reaches (dashed while not ready), and the tunnels between the nodes
 * underneath. Pure (a string out), so the browser sets it and the tests
 * read it; every name is escaped.
 */
import type { NetworkPicture, PictureNode, PicturePod, PictureService } from './network-model.js';

const GAP = 24;
const NODE_W = 300;
const NODE_HEAD = 64;
const POD_H = 36;
const SVC_W = 260;
const LINE = 15;
const LINK_SPACE = 110;
const MAX_LIST = 3;

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const text = (x: number, y: number, s: string, cls: string) =>
  `<text x="${x}" y="${y}" class="${cls}">${escapeXml(s)}</text>`;

/** At most MAX_LIST entries, then "+N more". */
const capped = (items: string[]) =>
  items.length <= MAX_LIST ? items : [...items.slice(0, MAX_LIST), `+${items.length - MAX_LIST} more`];

function serviceLines(s: PictureService): { text: string; cls: string }[] {
  const ip = s.clusterIp === 'None' ? 'headless' : (s.clusterIp ?? s.type);
  return [
    { text: `${s.namespace}/${s.name}`, cls: 'svc-name' },
    { text: `${ip}${s.ports.length ? ` : ${s.ports.join(', ')}` : ''}`, cls: 'svc-ip' },
    ...capped(s.dnsNames).map((t) => ({ text: `dns ${t}`, cls: 'svc-dns' })),
    ...capped(s.routes).map((t) => ({ text: `route ${t}`, cls: 'svc-route' })),
    { text: `${s.endpoints.filter((e) => e.ready).length}/${s.endpoints.length} endpoints ready`, cls: 'svc-eps' },
  ];
}

/** A stable hue per Service, so its lines and box share a colour. */
function hue(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) % 360;
  return h;
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function renderNetworkSvg(p: NetworkPicture): string {
  const columns: { title: string; node?: PictureNode; pods: PicturePod[] }[] = p.nodes.map((n) => ({
    title: n.name,
    node: n,
    pods: n.pods,
  }));
  if (p.unscheduled.length) columns.push({ title: 'not scheduled', pods: p.unscheduled });
  const width = Math.max(GAP + columns.length * (NODE_W + GAP), GAP + 3 * (SVC_W + GAP));
  const perRow = Math.max(1, Math.floor((width - GAP) / (SVC_W + GAP)));

  const parts: string[] = [];
  const svcBoxes = new Map<string, Box>();
  let y = GAP;
  for (let row = 0; row * perRow < p.services.length; row++) {
    const services = p.services.slice(row * perRow, (row + 1) * perRow);
    const rowH = Math.max(...services.map((s) => serviceLines(s).length)) * LINE + 16;
    services.forEach((s, i) => svcBoxes.set(s.key, { x: GAP + i * (SVC_W + GAP), y, w: SVC_W, h: rowH }));
    y += rowH + GAP;
  }
  const nodesTop = y + (p.services.length ? LINK_SPACE : 0);
  const nodeH = NODE_HEAD + Math.max(1, ...columns.map((c) => c.pods.length)) * POD_H + 12;
  const podBoxes = new Map<string, Box>();
  const nodeCenters = new Map<string, number>();

  columns.forEach((c, i) => {
    const x = GAP + i * (NODE_W + GAP);
    nodeCenters.set(c.title, x + NODE_W / 2);
    const n = c.node;
    const cls = n ? (n.ready ? 'node' : 'node not-ready') : 'node unscheduled';
    parts.push(
      `<g class="${cls}" data-node="${escapeXml(c.title)}"><rect x="${x}" y="${nodesTop}" width="${NODE_W}" height="${nodeH}" rx="10"/>`,
      text(x + 12, nodesTop + 20, c.title + (n && !n.ready ? ' (NotReady)' : ''), 'node-name'),
    );
    if (n) {
      parts.push(text(x + 12, nodesTop + 38, `node ${n.ip ?? '?'}  ${n.backend ?? ''}`, 'node-ip'));
      parts.push(text(x + 12, nodesTop + 54, `pods ${n.podCidr ?? '(no subnet yet)'}`, 'node-cidr'));
    }
    c.pods.forEach((pod, j) => {
      const box = { x: x + 10, y: nodesTop + NODE_HEAD + j * POD_H, w: NODE_W - 20, h: POD_H - 6 };
      podBoxes.set(pod.key, box);
      parts.push(podMarkup(pod, box));
    });
    parts.push('</g>');
  });

  // Tunnels: arcs under the nodes, deeper for nodes further apart.
  const tunnelTop = nodesTop + nodeH;
  let depth = 0;
  const arcs = p.tunnels.map((t) => {
    const x1 = nodeCenters.get(t.from)!,
      x2 = nodeCenters.get(t.to)!;
    const dip = 30 + (Math.abs(x2 - x1) / (NODE_W + GAP)) * 22;
    depth = Math.max(depth, dip);
    const label = t.kind === 'host-gw' ? 'host-gw route' : t.kind === 'vxlan' ? 'VXLAN tunnel' : t.kind;
    return (
      `<g class="tunnel ${escapeXml(t.kind)}" data-tunnel="${escapeXml(`${t.from}<->${t.to}`)}">` +
      `<path d="M ${x1} ${tunnelTop} Q ${(x1 + x2) / 2} ${tunnelTop + dip * 2} ${x2} ${tunnelTop}"/>` +
      text((x1 + x2) / 2, tunnelTop + dip + 4, label, 'tunnel-label') +
      '</g>'
    );
  });
  const height = tunnelTop + depth + GAP * 2;

  const links: string[] = [];
  const services: string[] = [];
  for (const s of p.services) {
    const b = svcBoxes.get(s.key)!;
    const h = hue(s.key);
    services.push(
      `<g class="service" data-service="${escapeXml(s.key)}" style="--hue:${h}"><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="8"/>`,
      ...serviceLines(s).map((l, i) => text(b.x + 10, b.y + 18 + i * LINE, l.text, l.cls)),
      '</g>',
    );
    for (const e of s.endpoints) {
      const pod = e.pod ? podBoxes.get(e.pod) : undefined;
      if (!pod) continue;
      const x1 = b.x + b.w / 2,
        y1 = b.y + b.h,
        x2 = pod.x + pod.w / 2,
        y2 = pod.y;
      links.push(
        `<path class="link${e.ready ? '' : ' not-ready'}" style="--hue:${h}" data-from="${escapeXml(s.key)}" data-to="${escapeXml(e.pod!)}" ` +
          `d="M ${x1} ${y1} C ${x1} ${y1 + LINK_SPACE * 0.8} ${x2} ${y2 - LINK_SPACE * 0.8} ${x2} ${y2}"/>`,
      );
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="network" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">` +
    arcs.join('') +
    parts.join('') +
    services.join('') +
    links.join('') +
    '</svg>'
  );
}

function podMarkup(pod: PicturePod, b: Box): string {
  const state = pod.ready ? 'ready' : pod.phase === 'Running' ? 'not-ready' : pod.phase.toLowerCase();
  const detail = `${pod.ip ?? 'no IP'}${pod.hostNetwork ? ' (host network)' : ''} · ${pod.phase}`;
  return (
    `<g class="pod ${state}" data-pod="${escapeXml(pod.key)}" tabindex="0"><title>${escapeXml(`${pod.key}\n${detail}\ncontainers: ${pod.containers.join(', ')}\nclick: terminal`)}</title>` +
    `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>` +
    text(b.x + 8, b.y + 13, pod.namespace === 'default' ? pod.name : pod.key, 'pod-name') +
    text(b.x + 8, b.y + 26, detail, 'pod-ip') +
    '</g>'
  );
}

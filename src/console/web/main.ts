/**
 * The console page: log in with a token, then live tables, the network
 * picture, terminals and logs, all read with that token. The token stays
 * in this tab (sessionStorage) and goes only to the console, which passes
 * it to the API server.
 */
import { Api } from './api.js';
import { byId } from './dom.js';
import { runInformer } from './informer.js';
import { followLog } from './logs.js';
import { renderNetworkSvg } from './network-svg.js';
import { openTerminal, type OpenTerminal } from './terminal.js';
import {
  picture,
  renderEvents,
  renderIngresses,
  renderNodes,
  renderPods,
  renderServices,
  type Caches,
} from './views.js';

const TOKEN_KEY = 'podnet-console-token';
const TABS = ['overview', 'services', 'network', 'events'] as const;
type Tab = (typeof TABS)[number];

const WATCHED: [keyof Caches, string][] = [
  ['nodes', '/api/v1/nodes'],
  ['pods', '/api/v1/pods'],
  ['services', '/api/v1/services'],
  ['slices', '/apis/discovery.k8s.io/v1/endpointslices'],
  ['ingresses', '/apis/networking.k8s.io/v1/ingresses'],
  ['events', '/api/v1/events'],
];

let session: { api: Api; abort: AbortController; caches: Caches; domain: string } | undefined;
let tab: Tab = 'overview';
let dock: { close(): void } | undefined;
let renderQueued = false;

function showLogin(message?: string): void {
  session?.abort.abort();
  session = undefined;
  closeDock();
  sessionStorage.removeItem(TOKEN_KEY);
  byId('login').hidden = false;
  byId('app').hidden = true;
  byId('logout').hidden = true;
  byId('login-error').textContent = message ?? '';
}

async function login(token: string): Promise<void> {
  const api = new Api(token, () => showLogin('The API server no longer accepts this token: log in again.'));
  // Any read proves the token; nothing is shown before it succeeds.
  await api.get('/api/v1/namespaces?limit=1');
  sessionStorage.setItem(TOKEN_KEY, token);
  const caches: Caches = {
    nodes: new Map(),
    pods: new Map(),
    services: new Map(),
    slices: new Map(),
    ingresses: new Map(),
    events: new Map(),
  };
  const abort = new AbortController();
  const domain = await api
    .get<{ data?: { clusterDomain?: string } }>('/api/v1/namespaces/kube-system/configmaps/podnet-config', abort.signal)
    .then((cm) => cm.data?.clusterDomain ?? 'cluster.local')
    .catch(() => 'cluster.local');
  session = { api, abort, caches, domain };
  byId('login').hidden = true;
  byId('app').hidden = false;
  byId('logout').hidden = false;
  const problems = new Map<string, string>();
  for (const [name, path] of WATCHED) {
    void runInformer(api, path, caches[name] as Map<string, never>, queueRender, abort.signal, (problem) => {
      if (problem) problems.set(name, problem);
      else problems.delete(name);
      byId('problems').textContent = [...problems.values()].join('; ');
    });
  }
  queueRender();
}

function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render(): void {
  if (!session) return;
  const { caches, domain } = session;
  const now = Date.now();
  byId('counts').textContent =
    `${caches.nodes.size} nodes · ${caches.pods.size} pods · ${caches.services.size} Services`;
  if (tab === 'overview') {
    renderNodes(byId<HTMLTableElement>('nodes-table'), caches, now);
    renderPods(byId<HTMLTableElement>('pods-table'), caches, now);
  } else if (tab === 'services') {
    renderServices(byId<HTMLTableElement>('services-table'), picture(caches, domain));
    renderIngresses(byId<HTMLTableElement>('ingresses-table'), caches);
  } else if (tab === 'network') {
    // The markup is built from escaped text only (network-svg.ts).
    byId('network-picture').innerHTML = renderNetworkSvg(picture(caches, domain));
  } else {
    renderEvents(byId<HTMLTableElement>('events-table'), caches, now);
  }
}

function selectTab(next: Tab): void {
  tab = next;
  for (const t of TABS) {
    byId(t).hidden = t !== next;
    document.querySelector(`[data-tab="${t}"]`)?.classList.toggle('active', t === next);
  }
  queueRender();
}

function closeDock(): void {
  dock?.close();
  dock = undefined;
  byId('dock').hidden = true;
}

function openDock(kind: 'terminal' | 'logs', podKey: string, container: string): void {
  if (!session) return;
  closeDock();
  const [namespace, pod] = podKey.split('/') as [string, string];
  const target = { namespace, pod, container };
  byId('dock').hidden = false;
  byId('dock').dataset['kind'] = kind;
  byId('dock-title').textContent = `${kind === 'terminal' ? 'terminal' : 'log'}: ${podKey} (${container})`;
  byId('terminal').hidden = kind !== 'terminal';
  byId('log').hidden = kind !== 'logs';
  if (kind === 'logs') {
    dock = followLog(session.api, byId<HTMLPreElement>('log'), target);
    return;
  }
  let opened: OpenTerminal | undefined;
  let closed = false;
  dock = {
    close: () => {
      closed = true;
      opened?.close();
    },
  };
  openTerminal(session.api, byId('terminal'), target, (message) => (byId('dock-status').textContent = message))
    .then((t) => {
      if (closed) t.close();
      else opened = t;
    })
    .catch((e: Error) => (byId('dock-status').textContent = `cannot open a terminal: ${e.message}`));
  byId('dock-status').textContent = '';
}

function firstContainer(podKey: string): string | undefined {
  return session?.caches.pods.get(podKey)?.spec?.containers?.[0]?.name;
}

function wire(): void {
  byId<HTMLFormElement>('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = byId<HTMLInputElement>('token').value.trim();
    if (!token) return;
    byId('login-error').textContent = 'checking the token...';
    login(token).catch((err: Error) => showLogin(`Not logged in: ${err.message}.`));
  });
  byId('logout').addEventListener('click', () => showLogin());
  for (const t of TABS) document.querySelector(`[data-tab="${t}"]`)?.addEventListener('click', () => selectTab(t));
  byId('dock-close').addEventListener('click', closeDock);
  document.addEventListener('click', (e) => {
    const target = e.target as Element;
    const button = target.closest<HTMLElement>('[data-action]');
    if (button?.dataset['pod'] && button.dataset['container']) {
      openDock(
        button.dataset['action'] === 'logs' ? 'logs' : 'terminal',
        button.dataset['pod'],
        button.dataset['container'],
      );
      return;
    }
    const pod = target.closest<SVGElement>('[data-pod]');
    if (pod && pod.closest('#network-picture') && pod.dataset['pod']) {
      const container = firstContainer(pod.dataset['pod']);
      if (container) openDock('terminal', pod.dataset['pod'], container);
    }
  });
  setInterval(queueRender, 5000); // ages move on
}

wire();
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) login(saved).catch((err: Error) => showLogin(`Not logged in: ${err.message}.`));
else showLogin();

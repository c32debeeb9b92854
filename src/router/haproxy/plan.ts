/**
 * What the running HAProxy has applied, and the Runtime API commands that
 * take it to the desired table without a reload. Pure.
 *
 * Order matters: servers are added and made ready before routes point at
 * them; a server that goes away is put in maintenance first (no new
 * requests, in-flight ones finish, a sticky cookie naming it falls back
 * to another pod), then deleted, which HAProxy refuses while connections
 * are still attached (idle pooled ones included): it stays in maintenance
 * and the deletion is retried at the next sync, through drain, which
 * closes the idle ones.
 */
import type { Backend, RouterState, Server } from '../types.js';
import { SERVER_OPTIONS, STANDBY_PREFIX, fitsStandby, paths, type Rendered } from './render.js';

export interface AppliedServer {
  address: string;
  port: number;
  /** false: in maintenance, waiting to be deleted. */
  ready: boolean;
}

export interface AppliedState {
  frameHash: string;
  /** The backends HAProxy has, standby ones included (removed ones stay, unused, until the next reload). */
  backends: Set<string>;
  /** backend -> server -> state */
  servers: Map<string, Map<string, AppliedServer>>;
  exact: Map<string, string>;
  prefix: Map<string, string>;
  /** Standby backends no route has taken yet. */
  standby: string[];
  /** A backend of the table HAProxy lacks -> the standby backend that serves it until the next reload. */
  aliases: Map<string, string>;
}

/** One Runtime API command, how to tell it worked, and what it changes in the applied state. */
export interface RuntimeCommand {
  text: string;
  succeeded(output: string): boolean;
  apply(applied: AppliedState): void;
}

/** What HAProxy holds right after loading the rendered files (a start or a reload). */
export function appliedFromRendered(state: RouterState, r: Rendered): AppliedState {
  const servers = new Map<string, Map<string, AppliedServer>>();
  for (const b of state.backends)
    servers.set(b.name, new Map(b.servers.map((s) => [s.name, { address: s.address, port: s.port, ready: true }])));
  return {
    frameHash: r.frameHash,
    backends: new Set([...r.backends, ...r.standby]),
    servers,
    exact: new Map(r.exact),
    prefix: new Map(r.prefix),
    standby: [...r.standby],
    aliases: new Map(),
  };
}

/** The name HAProxy knows a table backend by: its own, or that of the standby backend serving it. */
export const haproxyName = (a: AppliedState, backend: string): string => a.aliases.get(backend) ?? backend;

/** Whether HAProxy can serve a table backend now (under its own name or a standby's). */
export const servable = (a: AppliedState, backend: string): boolean =>
  a.backends.has(backend) || a.aliases.has(backend);

/** The table backend a HAProxy backend serves. */
export function tableName(a: AppliedState, haproxyBackend: string): string {
  for (const [backend, standby] of a.aliases) if (standby === haproxyBackend) return backend;
  return haproxyBackend;
}

/**
 * Gives each wanted backend HAProxy lacks a free standby backend, where its
 * options allow; returns the names still missing, which only a reload adds.
 */
export function takeStandby(a: AppliedState, wanted: Iterable<Backend>): string[] {
  const missing: string[] = [];
  for (const b of wanted) {
    if (servable(a, b.name)) continue;
    const standby = fitsStandby(b) ? a.standby.shift() : undefined;
    if (standby === undefined) missing.push(b.name);
    else a.aliases.set(b.name, standby);
  }
  return missing;
}

/**
 * After reading HAProxy back, keeps the standby backends this controller
 * had given out where HAProxy still lacks the backend's own section (the
 * same process, or one restarted on files written before the backend was
 * known); a read-back alone cannot tell which backend a standby serves.
 */
export function keepAliases(previous: AppliedState | undefined, next: AppliedState): void {
  if (!previous) return;
  for (const [backend, standby] of previous.aliases) {
    if (next.backends.has(backend) || !next.backends.has(standby)) continue;
    next.aliases.set(backend, standby);
    next.standby = next.standby.filter((n) => n !== standby);
  }
}

/** The standby backends of a read-back that nothing uses: no servers, no map entry points at them. */
export function freeStandby(a: Pick<AppliedState, 'backends' | 'servers' | 'exact' | 'prefix'>): string[] {
  const used = new Set([...a.exact.values(), ...a.prefix.values()]);
  return [...a.backends].filter((b) => b.startsWith(STANDBY_PREFIX) && !used.has(b) && !(a.servers.get(b)?.size ?? 0));
}

/** Whether only a reload can get there: another frame (frontends, TLS, settings) or a backend HAProxy lacks. */
export const needsReload = (applied: AppliedState | undefined, r: Rendered): boolean =>
  !applied || applied.frameHash !== r.frameHash || r.backends.some((b) => !servable(applied, b));

const empty = (out: string) => out.trim() === '';
const serverMap = (a: AppliedState, backend: string) => {
  let m = a.servers.get(backend);
  if (!m) a.servers.set(backend, (m = new Map<string, AppliedServer>()));
  return m;
};

/** Commands for one backend's servers: adds (and addr/ready changes) first, removals apart to go last. */
export function planServers(
  applied: AppliedState,
  backend: string,
  servers: readonly Server[],
): { adds: RuntimeCommand[]; removals: RuntimeCommand[] } {
  const adds: RuntimeCommand[] = [];
  const readies: RuntimeCommand[] = [];
  const removals: RuntimeCommand[] = [];
  const have = applied.servers.get(backend) ?? new Map<string, AppliedServer>();
  const want = new Set<string>();
  let added = false;
  for (const s of servers) {
    want.add(s.name);
    const id = `${backend}/${s.name}`;
    const cur = have.get(s.name);
    if (!cur) {
      added = true;
      adds.push({
        text: `add server ${id} ${s.address}:${s.port} ${SERVER_OPTIONS}`,
        succeeded: (out) => out.includes('New server registered'),
        apply: (a) => serverMap(a, backend).set(s.name, { address: s.address, port: s.port, ready: false }),
      });
      adds.push({ text: `enable health ${id}`, succeeded: empty, apply: () => undefined });
    } else if (cur.address !== s.address || cur.port !== s.port) {
      adds.push({
        text: `set server ${id} addr ${s.address} port ${s.port}`,
        succeeded: (out) => /changed|no need to change/.test(out),
        apply: (a) => {
          const m = serverMap(a, backend);
          m.set(s.name, { ...(m.get(s.name) ?? cur), address: s.address, port: s.port });
        },
      });
    }
    if (!cur || !cur.ready || cur.address !== s.address || cur.port !== s.port) {
      readies.push({
        text: `set server ${id} state ready`,
        succeeded: empty,
        apply: (a) => {
          const m = serverMap(a, backend);
          const prev = m.get(s.name);
          if (prev) m.set(s.name, { ...prev, ready: true });
        },
      });
    }
  }
  // A server added at run time has no sticky-session cookie until the backend's dynamic cookies are computed
  // again (a new address gets its own at once): before it takes requests.
  if (added) adds.push({ text: `enable dynamic-cookie backend ${backend}`, succeeded: empty, apply: () => undefined });
  adds.push(...readies);
  for (const [name, cur] of have) {
    if (want.has(name)) continue;
    const id = `${backend}/${name}`;
    // A deletion refused before: idle pooled connections to the server hold it; going through drain closes them.
    if (!cur.ready) removals.push({ text: `set server ${id} state drain`, succeeded: empty, apply: () => undefined });
    removals.push({
      text: `set server ${id} state maint`,
      succeeded: empty,
      apply: (a) => serverMap(a, backend).set(name, { ...cur, ready: false }),
    });
    removals.push({
      text: `del server ${id}`,
      succeeded: (out) => out.includes('Server deleted'),
      apply: (a) => serverMap(a, backend).delete(name),
    });
  }
  return { adds, removals };
}

/** The command that makes one map entry say `backend` (undefined: no entry), or none when it already does. */
export function planMapEntry(
  applied: AppliedState,
  runDir: string,
  which: 'exact' | 'prefix',
  key: string,
  backend: string | undefined,
): RuntimeCommand | undefined {
  const file = which === 'exact' ? paths(runDir).exactMap : paths(runDir).prefixMap;
  const cur = applied[which].get(key);
  if (cur === backend) return undefined;
  if (backend === undefined)
    return { text: `del map ${file} ${key}`, succeeded: empty, apply: (a) => a[which].delete(key) };
  return {
    text: cur === undefined ? `add map ${file} ${key} ${backend}` : `set map ${file} ${key} ${backend}`,
    succeeded: empty,
    apply: (a) => a[which].set(key, backend),
  };
}

/** Puts the commands of a sync in a safe order: servers in, routes set, routes removed, servers out. */
export function ordered(
  servers: { adds: RuntimeCommand[]; removals: RuntimeCommand[] }[],
  mapCommands: RuntimeCommand[],
): RuntimeCommand[] {
  return [
    ...servers.flatMap((s) => s.adds),
    ...mapCommands.filter((c) => !c.text.startsWith('del map')),
    ...mapCommands.filter((c) => c.text.startsWith('del map')),
    ...servers.flatMap((s) => s.removals),
  ];
}

/** Commands that take `applied` (with the same structure) to the whole of `state`. Empty when nothing differs. */
export function planRuntime(applied: AppliedState, state: RouterState, r: Rendered, runDir: string): RuntimeCommand[] {
  const present = state.backends.filter((b) => servable(applied, b.name));
  // A backend no route uses any more keeps no servers (no health checks against pods that come and go).
  const live = new Set(present.map((b) => haproxyName(applied, b.name)));
  const gone = [...applied.servers.keys()].filter((name) => !live.has(name));
  const servers = [
    ...present.map((b) => planServers(applied, haproxyName(applied, b.name), b.servers)),
    ...gone.map((name) => planServers(applied, name, [])),
  ];
  const maps: RuntimeCommand[] = [];
  for (const which of ['exact', 'prefix'] as const) {
    const want = r[which];
    for (const [key, backend] of want) {
      if (!servable(applied, backend)) continue; // comes with the reload
      const c = planMapEntry(applied, runDir, which, key, haproxyName(applied, backend));
      if (c) maps.push(c);
    }
    for (const key of applied[which].keys()) {
      if (want.has(key)) continue;
      const c = planMapEntry(applied, runDir, which, key, undefined);
      if (c) maps.push(c);
    }
  }
  return ordered(servers, maps);
}

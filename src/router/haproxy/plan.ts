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
import type { RouterState, Server } from '../types.js';
import { SERVER_OPTIONS, paths, type Rendered } from './render.js';

export interface AppliedServer {
  address: string;
  port: number;
  /** false: in maintenance, waiting to be deleted. */
  ready: boolean;
}

export interface AppliedState {
  frameHash: string;
  /** The backends HAProxy has (removed ones stay, unused, until the next reload). */
  backends: Set<string>;
  /** backend -> server -> state */
  servers: Map<string, Map<string, AppliedServer>>;
  exact: Map<string, string>;
  prefix: Map<string, string>;
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
    backends: new Set(r.backends),
    servers,
    exact: new Map(r.exact),
    prefix: new Map(r.prefix),
  };
}

/** Whether only a reload can get there: another frame (frontends, TLS, settings) or a backend HAProxy lacks. */
export const needsReload = (applied: AppliedState | undefined, r: Rendered): boolean =>
  !applied || applied.frameHash !== r.frameHash || r.backends.some((b) => !applied.backends.has(b));

const empty = (out: string) => out.trim() === '';
const serverMap = (a: AppliedState, backend: string) => {
  let m = a.servers.get(backend);
  if (!m) a.servers.set(backend, (m = new Map<string, AppliedServer>()));
  return m;
};

/** Commands that take `applied` (with the same structure) to `state`. Empty when nothing differs. */
export function planRuntime(applied: AppliedState, state: RouterState, r: Rendered, runDir: string): RuntimeCommand[] {
  const adds: RuntimeCommand[] = [];
  const removals: RuntimeCommand[] = [];
  // A backend no route uses any more keeps no servers (no health checks against pods that come and go).
  const gone = [...applied.servers.keys()].filter((name) => !state.backends.some((b) => b.name === name));
  for (const b of [...state.backends, ...gone.map((name) => ({ name, servers: [] as Server[] }))]) {
    const have = applied.servers.get(b.name) ?? new Map<string, AppliedServer>();
    const want = new Set<string>();
    for (const s of b.servers) {
      want.add(s.name);
      const id = `${b.name}/${s.name}`;
      const cur = have.get(s.name);
      if (!cur) {
        adds.push({
          text: `add server ${id} ${s.address}:${s.port} ${SERVER_OPTIONS}`,
          succeeded: (out) => out.includes('New server registered'),
          apply: (a) => serverMap(a, b.name).set(s.name, { address: s.address, port: s.port, ready: false }),
        });
        adds.push({
          text: `enable health ${id}`,
          succeeded: empty,
          apply: () => undefined,
        });
      } else if (cur.address !== s.address || cur.port !== s.port) {
        adds.push({
          text: `set server ${id} addr ${s.address} port ${s.port}`,
          succeeded: (out) => /changed|no need to change/.test(out),
          apply: (a) => {
            const m = serverMap(a, b.name);
            m.set(s.name, { ...(m.get(s.name) ?? cur), address: s.address, port: s.port });
          },
        });
      }
      if (!cur || !cur.ready || cur.address !== s.address || cur.port !== s.port) {
        adds.push({
          text: `set server ${id} state ready`,
          succeeded: empty,
          apply: (a) => {
            const m = serverMap(a, b.name);
            const prev = m.get(s.name);
            if (prev) m.set(s.name, { ...prev, ready: true });
          },
        });
      }
    }
    for (const [name, cur] of have) {
      if (want.has(name)) continue;
      const id = `${b.name}/${name}`;
      const toMaint = {
        text: `set server ${id} state maint`,
        succeeded: empty,
        apply: (a: AppliedState) => serverMap(a, b.name).set(name, { ...cur, ready: false }),
      };
      // A deletion refused before: idle pooled connections to the server hold it; going through drain closes them.
      if (!cur.ready) removals.push({ text: `set server ${id} state drain`, succeeded: empty, apply: () => undefined });
      removals.push(toMaint);
      removals.push({
        text: `del server ${id}`,
        succeeded: (out) => out.includes('Server deleted'),
        apply: (a) => serverMap(a, b.name).delete(name),
      });
    }
  }
  const p = paths(runDir);
  const maps: [string, Map<string, string>, Map<string, string>, 'exact' | 'prefix'][] = [
    [p.exactMap, applied.exact, r.exact, 'exact'],
    [p.prefixMap, applied.prefix, r.prefix, 'prefix'],
  ];
  const routeSets: RuntimeCommand[] = [];
  const routeDels: RuntimeCommand[] = [];
  for (const [file, have, want, which] of maps) {
    for (const [key, backend] of want) {
      const cur = have.get(key);
      if (cur === backend) continue;
      routeSets.push({
        text: cur === undefined ? `add map ${file} ${key} ${backend}` : `set map ${file} ${key} ${backend}`,
        succeeded: empty,
        apply: (a) => a[which].set(key, backend),
      });
    }
    for (const key of have.keys()) {
      if (want.has(key)) continue;
      routeDels.push({ text: `del map ${file} ${key}`, succeeded: empty, apply: (a) => a[which].delete(key) });
    }
  }
  return [...adds, ...routeSets, ...routeDels, ...removals];
}

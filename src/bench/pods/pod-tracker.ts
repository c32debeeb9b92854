/**
 * Creates pods and times them from the client's side: t0 is just before
 * the create request is sent; every later moment (scheduled, IP, Ready,
 * gone) is when the watch event saying so arrives here. The API's own
 * timestamps have one-second resolution (RFC 3339), too coarse for this.
 */
import { ApiError } from '../../api/errors.js';
import type { KObject, WatchEvent } from '../../api/meta.js';
import { podsRes, type Cluster } from './cluster.js';

export interface PodObj extends KObject {
  spec: { nodeName?: string; terminationGracePeriodSeconds?: number; containers: unknown[] };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      name: string;
      ready?: boolean;
      restartCount?: number;
      state?: Record<string, { reason?: string; message?: string; exitCode?: number }>;
    }[];
  };
}

export interface PodTiming {
  name: string;
  /** performance.now() just before the create was sent. */
  sentAt: number;
  /** Create response received. */
  createdAt?: number;
  scheduledAt?: number;
  ipAt?: number;
  readyAt?: number;
  deleteSentAt?: number;
  goneAt?: number;
  node?: string;
  ip?: string;
  last?: PodObj;
  createError?: string;
}

export const isReady = (p: PodObj): boolean =>
  !!p.status?.podIP && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Watches one namespace and keeps the timings of the pods it was asked to create. */
export class PodTracker {
  readonly pods = new Map<string, PodTiming>();
  private close: (() => void) | undefined;
  private stopped = false;
  private rv = '';
  private waiters: (() => void)[] = [];

  constructor(
    private readonly c: Cluster,
    readonly namespace: string,
  ) {}

  async start(): Promise<void> {
    const list = await this.c.client.list(podsRes, this.namespace);
    this.rv = list.metadata.resourceVersion ?? '';
    await this.open();
  }

  private async open(): Promise<void> {
    this.close = await this.c.client.watchWith<PodObj>(
      podsRes,
      this.namespace,
      { resourceVersion: this.rv },
      {
        onEvent: (ev) => this.onEvent(ev),
        onClose: () => {
          if (this.stopped) return;
          // The server ended the watch (timeout) or the connection broke: resume where it stopped.
          void this.open().catch(() =>
            setTimeout(() => {
              void this.open().catch(() => undefined); // one retry; the tracker reports what it missed
            }, 500),
          );
        },
      },
    );
  }

  private onEvent(ev: WatchEvent<PodObj>): void {
    const now = performance.now();
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') return;
    const p = ev.object;
    if (p.metadata.resourceVersion) this.rv = p.metadata.resourceVersion;
    const t = this.pods.get(p.metadata.name!);
    if (!t) return;
    t.last = p;
    if (ev.type === 'DELETED') {
      t.goneAt ??= now;
    } else {
      if (p.spec.nodeName && t.scheduledAt === undefined) {
        t.scheduledAt = now;
        t.node = p.spec.nodeName;
      }
      if (p.status?.podIP && t.ipAt === undefined) {
        t.ipAt = now;
        t.ip = p.status.podIP;
      }
      if (isReady(p) && t.readyAt === undefined) t.readyAt = now;
    }
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  stop(): void {
    this.stopped = true;
    this.close?.();
  }

  /** Creates the pods; `rate` > 0 spaces the sends at that many per second, 0 sends them all at once (`inFlight` at a time). */
  async create(objs: PodObj[], rate: number, inFlight = 16): Promise<void> {
    for (const o of objs) this.pods.set(o.metadata.name!, { name: o.metadata.name!, sentAt: NaN });
    const one = async (o: PodObj) => {
      const t = this.pods.get(o.metadata.name!)!;
      t.sentAt = performance.now();
      try {
        await this.c.client.create(podsRes, this.namespace, o);
        t.createdAt = performance.now();
      } catch (e) {
        t.createError = (e as Error).message;
      }
    };
    if (rate > 0) {
      const start = performance.now();
      const all: Promise<void>[] = [];
      for (let i = 0; i < objs.length; i++) {
        const due = start + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        all.push(one(objs[i]!));
      }
      await Promise.all(all);
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(inFlight, objs.length) }, async () => {
          while (next < objs.length) await one(objs[next++]!);
        }),
      );
    }
  }

  /** Resolves when pred holds for every named pod, or at the deadline; returns whether it held. */
  async waitUntil(names: string[], pred: (t: PodTiming) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (
        names.every((n) => {
          const t = this.pods.get(n);
          return !t || t.createError !== undefined || pred(t);
        })
      )
        return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const timer = setTimeout(r, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          r();
        });
      });
    }
  }

  /** Deletes the pods (default grace period), `inFlight` requests at a time. */
  async delete(names: string[], inFlight = 16): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(inFlight, names.length) }, async () => {
        while (next < names.length) {
          const name = names[next++]!;
          const t = this.pods.get(name);
          if (t) t.deleteSentAt = performance.now();
          try {
            await this.c.client.delete(podsRes, this.namespace, name);
          } catch (e) {
            if (e instanceof ApiError && e.code === 404) {
              if (t) t.goneAt ??= performance.now();
              continue;
            }
            throw e;
          }
        }
      }),
    );
  }

  /** Why a pod is not Ready, from its last seen status. */
  static why(t: PodTiming): string {
    if (t.createError) return `create failed: ${t.createError}`;
    const p = t.last;
    if (!p) return 'never seen on the watch';
    if (!p.spec.nodeName) return 'not scheduled';
    const cs = p.status?.containerStatuses ?? [];
    for (const s of cs) {
      const [state, d] = Object.entries(s.state ?? {})[0] ?? [];
      if (state && state !== 'running')
        return `container ${s.name} ${state}${d?.reason ? ` (${d.reason}${d.message ? `: ${d.message.slice(0, 200)}` : ''})` : ''}`;
    }
    const cond = (p.status?.conditions ?? []).find((c) => c.type === 'Ready');
    return `phase ${p.status?.phase ?? 'none'}, podIP ${p.status?.podIP ?? 'none'}, Ready ${cond?.status ?? 'unset'}`;
  }
}

/** A pod of podnet/agnhost with these args (pause by default). */
export function agnhostPod(
  name: string,
  labels: Record<string, string>,
  opts: { nodeName?: string; args?: string[]; command?: string[]; readinessTcpPort?: number } = {},
): PodObj {
  const container: Record<string, unknown> = { name: 'c', image: 'podnet/agnhost' };
  if (opts.command) container.command = opts.command;
  container.args = opts.args ?? (opts.command ? undefined : ['pause']);
  if (container.args === undefined) delete container.args;
  if (opts.readinessTcpPort)
    container.readinessProbe = { tcpSocket: { port: opts.readinessTcpPort }, periodSeconds: 1, failureThreshold: 1 };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      terminationGracePeriodSeconds: 5,
      containers: [container],
    },
  };
}

/**
 * Leader election on a coordination.k8s.io Lease, the way client-go's
 * leaderelection runs kube-controller-manager: every retry period, read the
 * Lease and create, renew or take it over with compare-and-swap on its
 * resourceVersion (the API server's store decides who wins). The leader
 * that cannot renew within the renew deadline stops leading before its
 * Lease can expire for the others (renew deadline < lease duration), so two
 * leaders never overlap; on stop it releases the Lease so a successor need
 * not wait.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KObject } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import { isAlreadyExists, isConflict, isNotFound } from '../api-error.js';
import type { KubeClient } from '../client.js';
import { decide, recordChanged, type LeaseRecord, type Observation } from './decide.js';

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;

interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Who is campaigning (default hostname_uuid, as kube). */
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Became the leader: start working. The returned stop is called when leadership ends. */
  onStartedLeading(): Promise<{ stop(): Promise<void> }>;
  log?(message: string): void;
}

type Lease = KObject & { spec?: LeaseRecord };

export class LeaderElector {
  readonly identity: string;
  private observed: Observation | undefined;
  /** The work started on becoming leader (it may still be starting: renewals go on meanwhile). */
  private leading: Promise<{ stop(): Promise<void> } | undefined> | undefined;
  private lastRenewMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tick: Promise<void> = Promise.resolve();
  private readonly durationS: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly client: KubeClient,
    private readonly o: LeaderElectionOptions,
  ) {
    this.identity = o.identity ?? `${hostname()}_${randomUUID()}`;
    this.durationS = o.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.durationS * 1000)
      throw new Error('leader election: the renew deadline must be shorter than the lease duration');
  }

  get isLeader(): boolean {
    return this.leading !== undefined;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.tick = this.step()
        .catch((e: Error) => this.o.log?.(`leader election ${this.o.namespace}/${this.o.name}: ${e.message}`))
        .then(() => this.checkDeadline())
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.retryMs);
        });
    };
    loop();
  }

  /** Stop campaigning; a leader stops its work and releases the Lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (!this.leading) return;
    await this.stepDown();
    await this.release().catch((e: Error) => this.o.log?.(`releasing the lease: ${e.message}`));
  }

  private async step(): Promise<void> {
    const now = Date.now();
    let current: Lease | undefined;
    try {
      current = await this.client.get<Lease>(leases, this.o.namespace, this.o.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const step = decide(this.identity, current?.spec, this.observed, now, this.durationS);
    if (current?.spec && step.kind === 'wait') {
      // The clock of a record starts when we first see it as it is now.
      if (!this.observed || recordChanged(this.observed.record, current.spec))
        this.observed = { record: current.spec, atMs: now };
      if (this.leading) await this.stepDown(); // someone else holds it: we are not the leader
      return;
    }
    const transitions = (current?.spec?.leaseTransitions ?? 0) + (step.kind === 'acquire' ? 1 : 0);
    const spec: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.durationS,
      acquireTime: step.kind === 'renew' ? current?.spec?.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: transitions,
    };
    try {
      if (step.kind === 'create') {
        await this.client.create(leases, this.o.namespace, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.o.name, namespace: this.o.namespace },
          spec,
        });
      } else {
        await this.client.update(leases, this.o.namespace, { ...current!, spec });
      }
    } catch (e) {
      if (isConflict(e) || isAlreadyExists(e)) return; // another candidate wrote first: look again next period
      throw e;
    }
    this.observed = { record: spec, atMs: now };
    this.lastRenewMs = now;
    if (!this.leading && !this.stopped) {
      this.o.log?.(`${this.identity} is now the leader (${this.o.namespace}/${this.o.name})`);
      // Not awaited (client-go runs OnStartedLeading in its own goroutine): work that takes long to start
      // (informers listing everything) must not hold up the renewals, or the leader misses its renew deadline.
      const starting: Promise<{ stop(): Promise<void> } | undefined> = this.o.onStartedLeading().catch((e: Error) => {
        this.o.log?.(`${this.identity} could not start leading: ${e.message}; trying again next period`);
        if (this.leading === starting) this.leading = undefined;
        return undefined;
      });
      this.leading = starting;
    }
  }

  /** A leader that could not renew in time stops before the others may take over. */
  private async checkDeadline(): Promise<void> {
    if (this.leading && Date.now() - this.lastRenewMs > this.renewDeadlineMs) {
      this.o.log?.(`${this.identity} could not renew the lease for ${this.renewDeadlineMs} ms: stepping down`);
      await this.stepDown();
    }
  }

  private async stepDown(): Promise<void> {
    const leading = this.leading;
    this.leading = undefined;
    // Work still starting is stopped once it has started.
    await (await leading)?.stop();
  }

  /** Give the Lease up (empty holder) so a successor takes it at its next retry. */
  private async release(): Promise<void> {
    const current = await this.client.get<Lease>(leases, this.o.namespace, this.o.name);
    if (current.spec?.holderIdentity !== this.identity) return;
    await this.client.update(leases, this.o.namespace, {
      ...current,
      spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(Date.now()) },
    });
  }
}

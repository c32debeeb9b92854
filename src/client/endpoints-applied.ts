/**
 * How every consumer of EndpointSlices (each node's service proxy, cluster
 * DNS, the router) tells the cluster which endpoint state it has applied:
 * an annotation on a Lease it owns, holding the highest EndpointSlice
 * resourceVersion whose state is live in its data plane. A node agent
 * reads these before it stops a terminating pod's processes (see
 * src/node/endpoint-drain.ts), so a pod leaves every data plane first.
 *
 * resourceVersions are the store's revisions, and one watch delivers
 * events in revision order, so "applied up to R" means every slice change
 * at or below R is applied.
 */
import { ApiError } from '../api/errors.js';
import type { KObject } from '../api/meta.js';
import { findResource } from '../api/resources.js';
import type { KubeClient } from './client.js';
import { warn } from '../log/log.js';

/** The highest EndpointSlice resourceVersion whose state the Lease's holder has applied. */
export const ENDPOINTS_APPLIED_ANNOTATION = 'podnet.io/endpointslices-applied';
/** Marks a Lease as an endpoint consumer's; the value says which kind (proxy, dns, router). */
export const ENDPOINTS_CONSUMER_LABEL = 'podnet.io/endpoints-consumer';

const leases = findResource('coordination.k8s.io', 'v1', 'leases')!;
const OWN_LEASE_SECONDS = 40;
const OWN_RENEW_MS = 10_000;
const RETRY_MS = 1000;

/** Kubernetes MicroTime (RFC 3339 with microseconds). */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '000Z');

/** The highest EndpointSlice revision seen, fed from a watch's events in order. */
export class SliceRevisionWatermark {
  private seen = 0n;

  observe(obj: KObject): void {
    const rv = obj.metadata.resourceVersion;
    if (!rv || !/^\d+$/.test(rv)) return;
    const n = BigInt(rv);
    if (n > this.seen) this.seen = n;
  }

  /** "" until a slice was seen. */
  get current(): string {
    return this.seen ? String(this.seen) : '';
  }
}

interface AppliedPublisherOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  /** What kind of consumer this is (the label's value): proxy, dns, router. */
  consumer: string;
  /**
   * Set when the consumer owns the Lease: it is created, renewed and deleted
   * on stop here. Unset for a Lease another loop renews (the node's own).
   */
  holderIdentity?: string;
  /** The uid of the pod the consumer runs in (named holderIdentity): the Lease's owner, so it goes with the pod. */
  ownerPodUid?: string;
  log: (m: string) => void;
}

/** Publishes the applied revision, one write at a time; a newer value replaces one not yet written. */
export class AppliedRevisionPublisher {
  private wanted = '';
  private written = '';
  private busy = false;
  private stopped = false;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: AppliedPublisherOptions) {
    if (o.holderIdentity) {
      const renew = () => {
        void this.renew().finally(() => {
          if (!this.stopped) this.renewTimer = setTimeout(renew, OWN_RENEW_MS);
        });
      };
      this.renewTimer = setTimeout(renew, OWN_RENEW_MS);
      this.renewTimer.unref();
    }
  }

  /** Records that the state up to revision rv is applied (no-op for ""). */
  publish(rv: string): void {
    if (!rv || rv === this.wanted) return;
    this.wanted = rv;
    void this.flush();
  }

  /** Stops publishing; an owned Lease is deleted, so no node waits for a consumer that is gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (!this.o.holderIdentity) return;
    await this.o.client.delete(leases, this.o.namespace, this.o.name).catch((e: Error) => {
      if (!(e instanceof ApiError && e.code === 404)) warn(this.o.log, `endpoints lease: ${e.message}`);
    });
  }

  private async flush(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (!this.stopped && this.wanted !== this.written) {
        const rv = this.wanted;
        try {
          await this.write(rv);
          this.written = rv;
        } catch (e) {
          warn(this.o.log, `publishing applied endpoints revision ${rv}: ${(e as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async write(rv: string): Promise<void> {
    const { client, namespace, name, consumer, holderIdentity } = this.o;
    const metadata = {
      labels: { [ENDPOINTS_CONSUMER_LABEL]: consumer },
      annotations: { [ENDPOINTS_APPLIED_ANNOTATION]: rv },
    };
    try {
      await client.patch(leases, namespace, name, 'merge', { metadata });
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404) || !holderIdentity) throw e;
      await client.create(leases, namespace, this.ownLease(metadata));
    }
  }

  private ownLease(metadata: { labels: Record<string, string>; annotations: Record<string, string> }): KObject {
    const now = microTime(Date.now());
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.o.name,
        namespace: this.o.namespace,
        ...metadata,
        // A replica killed without its stop (its node died) leaves the Lease; the garbage collector removes it with the pod.
        ...(this.o.ownerPodUid &&
          this.o.holderIdentity && {
            ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: this.o.holderIdentity, uid: this.o.ownerPodUid }],
          }),
      },
      spec: {
        holderIdentity: this.o.holderIdentity,
        leaseDurationSeconds: OWN_LEASE_SECONDS,
        acquireTime: now,
        renewTime: now,
      },
    };
  }

  private async renew(): Promise<void> {
    if (this.stopped || !this.written) return;
    await this.o.client
      .patch(leases, this.o.namespace, this.o.name, 'merge', { spec: { renewTime: microTime(Date.now()) } })
      .catch((e: Error) => {
        // Deleted under us: the next write creates it again.
        if (e instanceof ApiError && e.code === 404) this.written = '';
        else warn(this.o.log, `renewing endpoints lease ${this.o.namespace}/${this.o.name}: ${e.message}`);
        if (this.wanted) void this.flush();
      });
  }
}

/**
 * Run as a pod (an add-on gives POD_NAMESPACE and POD_NAME through the
 * downward API): the Lease, named after the pod, on which it publishes what
 * it has applied. Outside a pod there is none, and nothing is published.
 */
export function inClusterAppliedLease(
  env: NodeJS.ProcessEnv,
): { namespace: string; name: string; holderIdentity: string; ownerPodUid?: string } | undefined {
  const namespace = env.POD_NAMESPACE;
  const name = env.POD_NAME;
  if (!namespace || !name) return undefined;
  return {
    namespace,
    name: `podnet-endpoints-${name}`,
    holderIdentity: name,
    ...(env.POD_UID ? { ownerPodUid: env.POD_UID } : {}),
  };
}

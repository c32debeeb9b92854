/**
 * A scheduler for default-scheduler pods: binds each pending pod to the
 * feasible node that spreads its group best, deciding one pod at a time
 * and binding without waiting, so a burst of pods is bound in a few commits; a pod no node can take gets
 * PodScheduled=False/Unschedulable with kube's message and a
 * FailedScheduling event, and is tried again when nodes change.
 */
import { nowRFC3339 } from '../api/meta.js';
import { ApiError } from '../api/errors.js';
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import type { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import { recordEvent } from '../client/events.js';
import { DEFAULT_SCHEDULER, filterNodes, needsScheduling, pickNode, unschedulableMessage } from './scheduler-decide.js';
import { antiAffinityFor, requiredAntiAffinity } from './pod-anti-affinity.js';
import { affinityFor } from './pod-affinity.js';
import { topologySpreadFor } from './topology-spread.js';
import { defaultSpreadConstraints } from './default-spread.js';
import type { LabelSelectorObject } from '../api/selectors/index.js';
import type { ReplicaSet, StatefulSet } from './workload-types.js';
import { byNamespace, byNodeName, keyOf, res, type SharedInformers } from './shared-informers.js';
import type { KObject } from '../api/meta.js';
import { isPodTerminal, type Node, type Pod, type Service } from './types.js';

/** Retry interval for unschedulable pods when nothing changes (kube's max is 5 min; ours is shorter). */
const UNSCHEDULABLE_RETRY_MS = 30_000;
/** Bindings sent at once before the scheduling loop waits for one to be answered. */
const MAX_BINDINGS_IN_FLIGHT = 64;

export class Scheduler extends QueueController {
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly namespaces: Informer<KObject>;
  /** What kube's default spreading groups pods by: Services, ReplicaSets, StatefulSets. */
  private readonly services: Informer<Service>;
  private readonly replicaSets: Informer<ReplicaSet>;
  private readonly statefulSets: Informer<StatefulSet>;
  /** Keys of placed pods with required anti-affinity terms, which every later pod is checked against. */
  private readonly withRequiredAntiAffinity = new Set<string>();
  /** Pods bound by us that the cache does not show bound yet: key -> node. */
  private readonly assumed = new Map<string, string>();
  /** Bindings sent and not yet answered. */
  private readonly binding = new Set<Promise<void>>();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super('scheduler', log);
    this.pods = informers.pods();
    this.nodes = informers.nodes();
    this.namespaces = informers.namespaces();
    this.services = informers.services();
    this.replicaSets = informers.replicaSets();
    this.statefulSets = informers.statefulSets();
    const podSeen = (p: Pod) => {
      const key = keyOf(p);
      if (p.spec?.nodeName) this.assumed.delete(key);
      if (requiredAntiAffinity(p).length > 0) this.withRequiredAntiAffinity.add(key);
      if (needsScheduling(p)) this.enqueue(key);
    };
    this.pods.addHandlers({
      onAdd: podSeen,
      onUpdate: (o, p) => {
        podSeen(p);
        // A pod that finished frees its host ports and its place in anti-affinity domains.
        if (p.spec?.nodeName && isPodTerminal(p) && !isPodTerminal(o)) this.retryUnschedulable();
      },
      onDelete: (p) => {
        this.assumed.delete(keyOf(p));
        this.withRequiredAntiAffinity.delete(keyOf(p));
        if (p.spec?.nodeName) this.retryUnschedulable();
      },
    });
    // Any node change may make a waiting pod schedulable.
    const retryPending = () => {
      for (const p of this.pods.list()) if (needsScheduling(p)) this.enqueue(keyOf(p));
    };
    this.nodes.addHandlers({ onAdd: retryPending, onUpdate: retryPending, onDelete: retryPending });
  }

  /** Pods found unschedulable before, tried again when a placed pod goes (kube's AssignedPodDelete event). */
  private retryUnschedulable(): void {
    for (const p of this.pods.list())
      if (
        needsScheduling(p) &&
        p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')
      )
        this.enqueue(keyOf(p));
  }

  protected async sync(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !needsScheduling(pod) || this.assumed.has(key)) return;
    const nodes = this.nodes.list();
    const podsOn = (n: string) => this.podsOn(n);
    const namespaceLabels = (ns: string) => this.namespaces.get(ns)?.metadata.labels;
    const rules = {
      antiAffinity: antiAffinityFor(pod, {
        nodes,
        podsOn,
        namespaceLabels,
        podsWithRequiredAntiAffinity: () => this.podsWithRequiredAntiAffinity(),
      }),
      affinity: affinityFor(pod, { nodes, podsOn, namespaceLabels }),
      spread: topologySpreadFor(
        pod,
        { nodes, podsOn },
        defaultSpreadConstraints(pod, {
          services: this.services.byIndex(byNamespace, pod.metadata.namespace ?? 'default'),
          controllerSelector: this.controllerSelector(pod),
        }),
      ),
    };
    const { feasible, reasons } = filterNodes(pod, nodes, { podsOn, ...rules });
    const node = pickNode(pod, feasible, podsOn, rules);
    if (!node) return this.markUnschedulable(pod, unschedulableMessage(nodes.length, reasons));
    const nodeName = node.metadata.name!;
    // Assumed at once, so the next decision counts this pod on its node; the binding goes on
    // without holding the queue (kube's binding cycle), and bindings issued together share one commit.
    this.assumed.set(key, nodeName);
    while (this.binding.size >= MAX_BINDINGS_IN_FLIGHT) await Promise.race(this.binding);
    const bound = this.bind(key, pod, nodeName).finally(() => this.binding.delete(bound));
    this.binding.add(bound);
  }

  private async bind(key: string, pod: Pod, nodeName: string): Promise<void> {
    try {
      await this.client.createSubresource(res.pods, pod.metadata.namespace, pod.metadata.name!, 'binding', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    } catch (e) {
      this.assumed.delete(key);
      // Gone, or bound by someone else meanwhile: nothing left to do for this pod.
      if (isNotFound(e) || (e instanceof ApiError && e.code === 409)) return;
      this.log(`scheduler: binding ${key} to ${nodeName} failed (retrying): ${(e as Error).message}`);
      this.queue.addRateLimited(key);
      return;
    }
    this.queue.forget(key);
    // Best effort, as every Event.
    void recordEvent(
      this.client,
      this.log,
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
      DEFAULT_SCHEDULER,
    );
  }

  /** Waits for the bindings in flight (stop). */
  override async stop(): Promise<void> {
    await super.stop();
    await Promise.all(this.binding);
  }

  /** The selector of the pod's controlling ReplicaSet or StatefulSet (for kube's default spreading). */
  private controllerSelector(pod: Pod): LabelSelectorObject | undefined {
    const owner = pod.metadata.ownerReferences?.find((o) => o.controller);
    if (!owner || !owner.apiVersion.startsWith('apps/')) return undefined;
    const key = `${pod.metadata.namespace}/${owner.name}`;
    const set: ReplicaSet | StatefulSet | undefined =
      owner.kind === 'ReplicaSet'
        ? this.replicaSets.get(key)
        : owner.kind === 'StatefulSet'
          ? this.statefulSets.get(key)
          : undefined;
    return set?.metadata.uid === owner.uid ? set.spec?.selector : undefined;
  }

  /** Placed pods with required anti-affinity, ours assumed on their node included. */
  private podsWithRequiredAntiAffinity(): Pod[] {
    const out: Pod[] = [];
    for (const key of this.withRequiredAntiAffinity) {
      const p = this.pods.get(key);
      const node = p?.spec?.nodeName ?? this.assumed.get(key);
      if (p && node) out.push(p.spec?.nodeName ? p : { ...p, spec: { ...p.spec, nodeName: node } });
    }
    return out;
  }

  /** Live pods on the node, including ones we bound that the cache has not caught up with. */
  private podsOn(node: string): Pod[] {
    const pods = this.pods.byIndex(byNodeName, node);
    for (const [key, n] of this.assumed) {
      const p = this.pods.get(key);
      if (n === node && p && !p.spec?.nodeName) pods.push(p);
    }
    return pods;
  }

  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    this.queue.addAfter(keyOf(pod), UNSCHEDULABLE_RETRY_MS);
    const cond = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (cond?.status === 'False' && cond.reason === 'Unschedulable' && cond.message === message) return;
    try {
      await this.client.patch(
        res.pods,
        pod.metadata.namespace,
        pod.metadata.name!,
        'strategic',
        {
          status: {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message,
                lastProbeTime: null,
                lastTransitionTime:
                  cond?.status === 'False' && cond.lastTransitionTime ? cond.lastTransitionTime : nowRFC3339(),
              },
            ],
          },
        },
        { subresource: 'status' },
      );
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    await recordEvent(this.client, this.log, pod, 'Warning', 'FailedScheduling', message, DEFAULT_SCHEDULER);
  }
}

/**
 * The taint eviction controller (kube's taint-eviction-controller): pods
 * bound to a node with a NoExecute taint they do not tolerate are deleted,
 * at once or when their tolerationSeconds run out. With the node lifecycle
 * controller's unreachable taint and the 300 s tolerations every pod gets
 * at admission, the pods of a node that died but stays registered are
 * deleted after five minutes, and their ReplicaSets start replacements.
 */
import { nowRFC3339 } from '../api/meta.js';
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import { recordEvent } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { QueueController, type Logger } from './controller.js';
import { byNodeName, res, type SharedInformers } from './shared-informers.js';
import { disruptionTargetCondition, evictionTime } from './taint-eviction-desired.js';
import type { Node, Pod, Taint } from './types.js';

export class TaintEvictionController extends QueueController {
  private readonly nodes: Informer<Node>;
  private readonly pods: Informer<Pod>;
  /** When a NoExecute taint without timeAdded was first seen, per node and taint. */
  private readonly taintSeen = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
  ) {
    super('taint-eviction-controller', log);
    this.nodes = informers.nodes();
    this.pods = informers.pods();
    this.nodes.addHandlers({
      onAdd: (n) => this.enqueue(n.metadata.name!),
      onUpdate: (_o, n) => this.enqueue(n.metadata.name!),
      onDelete: (n) => this.enqueue(n.metadata.name!),
    });
    const podChanged = (p: Pod) => p.spec?.nodeName && this.enqueue(p.spec.nodeName);
    this.pods.addHandlers({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p) });
  }

  protected async sync(nodeName: string): Promise<void> {
    const node = this.nodes.get(nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    this.forgetTaints(nodeName, taints);
    if (taints.length === 0) return;
    const now = Date.now();
    const firstSeen = (t: Taint) => {
      const key = taintKey(nodeName, t);
      if (!this.taintSeen.has(key)) this.taintSeen.set(key, now);
      return this.taintSeen.get(key)!;
    };
    let next = Infinity;
    for (const pod of this.pods.byIndex(byNodeName, nodeName)) {
      if (pod.metadata.deletionTimestamp) continue;
      const eviction = evictionTime(taints, pod.spec?.tolerations ?? [], now, firstSeen);
      if (!eviction) continue;
      if (eviction.at > now) next = Math.min(next, eviction.at);
      else await this.evict(pod, nodeName);
    }
    if (next !== Infinity) this.queue.addAfter(nodeName, next - now);
  }

  private async evict(pod: Pod, nodeName: string): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    const now = nowRFC3339(new Date());
    try {
      const conditions = [...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget')];
      await this.client.updateStatus(res.pods, namespace, {
        ...pod,
        status: { ...pod.status, conditions: [...conditions, disruptionTargetCondition(now)] },
      });
      await this.client.delete(res.pods, namespace, name!, { preconditions: { uid } });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.log(
      `${this.name}: deleting pod ${namespace}/${name}: node ${nodeName} has a NoExecute taint it does not tolerate`,
    );
    await recordEvent(
      this.client,
      this.log,
      pod,
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${namespace}/${name}`,
      'taint-eviction-controller',
    );
  }

  /** Drop first sightings of taints the node no longer has. */
  private forgetTaints(nodeName: string, current: readonly Taint[]): void {
    const keep = new Set(current.map((t) => taintKey(nodeName, t)));
    for (const key of this.taintSeen.keys())
      if (key.startsWith(`${nodeName}\0`) && !keep.has(key)) this.taintSeen.delete(key);
  }
}

const taintKey = (node: string, t: Taint) => `${node}\0${t.key}\0${t.value ?? ''}\0${t.effect}`;

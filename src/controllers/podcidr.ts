/**
 * The node IPAM controller: gives every Node a subnet of the cluster CIDR
 * (spec.podCIDR and spec.podCIDRs), never the same one twice, and takes it
 * back when the Node is deleted. The Node objects are the record: the set of
 * taken subnets is rebuilt from them whenever the controller starts.
 */
import { DEFAULT_CLUSTER_CONFIG } from '../api/cluster-config.js';
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import type { Informer } from '../client/informer.js';
import { CidrSet } from './cidr-set.js';
import { QueueController, type Logger } from './controller.js';
import { recordEvent } from '../client/events.js';
import { res, type SharedInformers } from './shared-informers.js';
import type { Node } from './types.js';

/** Set by the node agent on a Node it registers again (src/node/node-object.ts). */
const POD_CIDR_HINT_ANNOTATION = 'podnet.io/pod-cidr-hint';

interface PodCidrOptions {
  /** default: DEFAULT_CLUSTER_CONFIG's */
  clusterCidr?: string;
  /** default: DEFAULT_CLUSTER_CONFIG's */
  nodeMaskSize?: number;
}

export class PodCidrController extends QueueController {
  readonly cidrs: CidrSet;
  private readonly nodes: Informer<Node>;
  /** Subnets we wrote that the cache does not show yet: node name -> CIDR. */
  private readonly pending = new Map<string, string>();

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    log: Logger,
    opts: PodCidrOptions = {},
  ) {
    super('node-ipam-controller', log);
    this.cidrs = new CidrSet(
      opts.clusterCidr ?? DEFAULT_CLUSTER_CONFIG.clusterCidr,
      opts.nodeMaskSize ?? DEFAULT_CLUSTER_CONFIG.nodeCidrMaskSize,
    );
    this.nodes = informers.nodes();
    // Taken subnets are recorded straight from events, so the initial list fills the set before any worker allocates.
    const seen = (n: Node) => {
      const cidr = n.spec?.podCIDR;
      if (cidr) {
        this.cidrs.occupy(cidr);
        const mine = this.pending.get(n.metadata.name!);
        if (mine && mine !== cidr) this.cidrs.release(mine);
        this.pending.delete(n.metadata.name!);
      } else {
        this.enqueue(n.metadata.name!);
      }
    };
    this.nodes.addHandlers({
      onAdd: seen,
      onUpdate: (_o, n) => seen(n),
      onDelete: (n) => {
        const cidr = n.spec?.podCIDR ?? this.pending.get(n.metadata.name!);
        this.pending.delete(n.metadata.name!);
        if (cidr && !this.nodes.list().some((o) => o.spec?.podCIDR === cidr)) this.cidrs.release(cidr);
      },
    });
  }

  protected async sync(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node || node.spec?.podCIDR || this.pending.has(name)) return;
    // A node registered again asks for the subnet its bridge and pods are on: give it back when free.
    const hint = node.metadata.annotations?.[POD_CIDR_HINT_ANNOTATION];
    const cidr = (hint && this.cidrs.allocate(hint) ? hint : undefined) ?? this.cidrs.allocateNext();
    if (!cidr) {
      await recordEvent(
        this.client,
        this.log,
        node,
        'Normal',
        'CIDRNotAvailable',
        `Node ${name} status is now: CIDRNotAvailable`,
        'cidrAllocator',
      );
      throw new Error(
        `no free /${this.cidrs.nodeMaskSize} left in cluster CIDR ${this.cidrs.clusterCidr} for node ${name}; delete unused nodes or use a larger cluster CIDR`,
      );
    }
    this.pending.set(name, cidr);
    try {
      await this.client.patch(res.nodes, undefined, name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (e) {
      this.pending.delete(name);
      this.cidrs.release(cidr);
      if (isNotFound(e)) return;
      throw e;
    }
  }
}

/**
 * The pod garbage collector (orphans only): force-deletes pods bound to a
 * node that was deleted, so they don't sit in Terminating forever.
 */
import type { KubeClient } from '../client/client.js';
import { isNotFound } from '../client/api-error.js';
import type { Informer } from '../client/informer.js';
import type { Logger } from './controller.js';
import { orphanedPods } from './podgc-desired.js';
import { res, type SharedInformers } from './shared-informers.js';
import type { Node, Pod } from './types.js';

const CHECK_EVERY_MS = 10_000;

export class PodGcController {
  readonly name = 'pod-garbage-collector';
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private missingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: KubeClient,
    informers: SharedInformers,
    private readonly log: Logger,
    private readonly quarantineMs?: number,
  ) {
    this.pods = informers.pods();
    this.nodes = informers.nodes();
  }

  run(): void {
    const tick = async () => {
      if (this.stopped) return;
      await this.collect().catch((e: Error) => this.log(`${this.name}: ${e.message}`));
      if (!this.stopped) this.timer = setTimeout(() => void tick(), CHECK_EVERY_MS);
    };
    // tick cannot reject: collect's errors are logged above.
    this.timer = setTimeout(() => void tick(), CHECK_EVERY_MS);
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return Promise.resolve();
  }

  async collect(now = Date.now()): Promise<void> {
    const r = orphanedPods(this.pods.list(), this.nodes.list(), this.missingSince, now, this.quarantineMs);
    this.missingSince = r.missingSince;
    for (const pod of r.collect) {
      const { namespace, name, uid } = pod.metadata;
      try {
        await this.client.delete(res.pods, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } });
        this.log(`${this.name}: deleted pod ${namespace}/${name}: its node ${pod.spec?.nodeName} no longer exists`);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

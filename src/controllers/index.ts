/**
 * Starts the controllers that run in the API server process. They reach
 * the API only through the client, like kube-controller-manager and
 * kube-scheduler, so they work against any Kubernetes API server.
 */
import type { KubeClient } from '../client/client.js';
import { logger } from '../log/log.js';
import type { Logger, QueueController } from './controller.js';
import { EndpointSliceController } from './endpointslice.js';
import { EndpointsController } from './endpoints.js';
import { NamespaceController } from './namespace.js';
import { NodeLifecycleController } from './nodelifecycle.js';
import { TaintEvictionController } from './taint-eviction.js';
import { PodCidrController } from './podcidr.js';
import { PodGcController } from './podgc.js';
import { Scheduler } from './scheduler.js';
import { SharedInformers } from './shared-informers.js';
import { ReplicaSetController } from './replicaset.js';
import { DeploymentController } from './deployment.js';
import { DaemonSetController } from './daemonset.js';
import { StatefulSetController } from './statefulset.js';
import { GarbageCollector } from './garbagecollector.js';
import { ServiceAccountController } from './serviceaccount.js';
import { RootCaPublisher } from './root-ca-publisher.js';
import type { PerNamespaceObjectController } from './per-namespace-object.js';
import type { KObject } from '../api/meta.js';

interface ControllerOptions {
  /** Pod network, carved into one subnet per node (default: DEFAULT_CLUSTER_CONFIG's). */
  clusterCidr?: string;
  /** Prefix length of each node's subnet (default: DEFAULT_CLUSTER_CONFIG's). */
  nodeCidrMaskSize?: number;
  /** Seconds without a Lease renewal before a node goes Unknown (default 40). */
  nodeGracePeriodSeconds?: number;
  /** Node check interval (default 5000 ms). */
  nodeMonitorPeriodMs?: number;
  /** Which controllers to run (default all): see CONTROLLER_NAMES. */
  enabled?: string[];
  /** The cluster CA, published as ConfigMap kube-root-ca.crt in every namespace (undefined: not published). */
  rootCaPem?: string;
  /** Where controllers report problems they recover from (default: stderr). */
  log?: Logger;
}

export interface RunningControllers {
  stop(): Promise<void>;
}

const CONTROLLER_NAMES = [
  'endpointslice',
  'endpoints',
  'scheduler',
  'podcidr',
  'namespace',
  'nodelifecycle',
  'taint-eviction',
  'podgc',
  'replicaset',
  'deployment',
  'daemonset',
  'statefulset',
  'garbagecollector',
  'serviceaccount',
  'root-ca-cert-publisher',
] as const;

/**
 * Creates the shared informers and the enabled controllers, waits for the
 * informers' first lists, then starts the workers. stop() ends all of them.
 */
export async function startControllers(client: KubeClient, opts: ControllerOptions = {}): Promise<RunningControllers> {
  const log: Logger = opts.log ?? logger('controllers');
  const enabled = new Set(opts.enabled ?? CONTROLLER_NAMES);
  for (const n of enabled) {
    if (!(CONTROLLER_NAMES as readonly string[]).includes(n))
      throw new Error(`unknown controller "${n}"; known: ${CONTROLLER_NAMES.join(', ')}`);
  }
  const informers = new SharedInformers(client, (e) => log(`watch: ${(e as Error).message ?? e}`));
  const controllers: QueueController[] = [];
  if (enabled.has('endpointslice')) controllers.push(new EndpointSliceController(client, informers, log));
  if (enabled.has('endpoints')) controllers.push(new EndpointsController(client, informers, log));
  if (enabled.has('scheduler')) controllers.push(new Scheduler(client, informers, log));
  if (enabled.has('podcidr'))
    controllers.push(
      new PodCidrController(client, informers, log, {
        clusterCidr: opts.clusterCidr,
        nodeMaskSize: opts.nodeCidrMaskSize,
      }),
    );
  if (enabled.has('namespace')) controllers.push(new NamespaceController(client, informers, log));
  if (enabled.has('nodelifecycle')) {
    controllers.push(
      new NodeLifecycleController(client, informers, log, {
        gracePeriodSeconds: opts.nodeGracePeriodSeconds,
        monitorPeriodMs: opts.nodeMonitorPeriodMs,
      }),
    );
  }
  if (enabled.has('taint-eviction')) controllers.push(new TaintEvictionController(client, informers, log));
  if (enabled.has('replicaset')) controllers.push(new ReplicaSetController(client, informers, log));
  if (enabled.has('deployment')) controllers.push(new DeploymentController(client, informers, log));
  if (enabled.has('daemonset')) controllers.push(new DaemonSetController(client, informers, log));
  if (enabled.has('statefulset')) controllers.push(new StatefulSetController(client, informers, log));
  if (enabled.has('garbagecollector')) controllers.push(new GarbageCollector(client, informers, log));
  const podGc = enabled.has('podgc') ? new PodGcController(client, informers, log) : undefined;
  const own: PerNamespaceObjectController<KObject>[] = [];
  if (enabled.has('serviceaccount')) own.push(new ServiceAccountController(client, informers, log));
  if (enabled.has('root-ca-cert-publisher') && opts.rootCaPem)
    own.push(new RootCaPublisher(client, informers, log, opts.rootCaPem));
  controllers.push(...own);
  await Promise.all([informers.start(), ...own.map((c) => c.startInformer())]);
  for (const c of controllers) c.run(workersOf(c));
  podGc?.run();
  return {
    async stop() {
      await Promise.all([...controllers.map((c) => c.stop()), podGc?.stop()]);
      await informers.stop();
    },
  };
}

/** Workers per controller: more for those that write a lot per key, as kube-controller-manager's --concurrent-* do. */
function workersOf(c: QueueController): number {
  if (c instanceof EndpointSliceController || c instanceof EndpointsController) return 2;
  if (c instanceof ReplicaSetController || c instanceof GarbageCollector) return 4;
  if (c instanceof DeploymentController || c instanceof DaemonSetController || c instanceof StatefulSetController)
    return 2;
  return 1;
}

export {
  DaemonSetController,
  DeploymentController,
  GarbageCollector,
  ReplicaSetController,
  StatefulSetController,
  EndpointSliceController,
  EndpointsController,
  NamespaceController,
  NodeLifecycleController,
  PodCidrController,
  PodGcController,
  Scheduler,
  SharedInformers,
};

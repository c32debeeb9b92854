/**
 * apps/v1 workloads: status starts empty (the controllers fill it) and
 * metadata.generation counts spec changes, which rollout status compares
 * with status.observedGeneration.
 */
import type { KObject } from '../../../api/meta.js';
import type { Strategy } from '../strategy.js';

/** A workload strategy whose new objects start with `status` (kube's zero-valued status as JSON). */
const workload = (status: () => Record<string, number>): Strategy => ({
  prepareForCreate(obj: KObject) {
    obj.status = status();
  },
  tracksGeneration: true,
});

export const deploymentStrategy = workload(() => ({}));
export const replicaSetStrategy = workload(() => ({ replicas: 0 }));
export const daemonSetStrategy = workload(() => ({
  currentNumberScheduled: 0,
  numberMisscheduled: 0,
  desiredNumberScheduled: 0,
  numberReady: 0,
}));
export const statefulSetStrategy = workload(() => ({ replicas: 0, availableReplicas: 0 }));

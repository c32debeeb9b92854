/** The strategy of every resource that has one; the rest use the generic behaviour. */
import { strategyKey, type StrategyTable } from '../strategy.js';
import { findResource } from '../../../api/resources.js';
import { podStrategy } from './pods.js';
import { namespaceStrategy } from './namespaces.js';
import { generationStrategy, ingressStrategy } from './generic.js';
import type { ServiceAllocations } from './services.js';
import { daemonSetStrategy, deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from './apps.js';

const key = (group: string, resource: string) => strategyKey(findResource(group, 'v1', resource)!);

export function strategies(allocations: ServiceAllocations): StrategyTable {
  return {
    [key('', 'pods')]: podStrategy,
    [key('', 'services')]: allocations.strategy(),
    [key('', 'namespaces')]: namespaceStrategy,
    [key('networking.k8s.io', 'ingresses')]: ingressStrategy,
    [key('networking.k8s.io', 'networkpolicies')]: generationStrategy,
    [key('networking.k8s.io', 'ingressclasses')]: generationStrategy,
    [key('apps', 'deployments')]: deploymentStrategy,
    [key('apps', 'replicasets')]: replicaSetStrategy,
    [key('apps', 'daemonsets')]: daemonSetStrategy,
    [key('apps', 'statefulsets')]: statefulSetStrategy,
    // Events own nothing: a delete never waits for the garbage collector.
    [key('', 'events')]: { noDependents: true },
  };
}

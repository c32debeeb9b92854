/**
 * The Node authorizer: what a node's credentials (user system:node:NAME in
 * group system:nodes) may do. The node rules (bootstrap-policy.ts) say
 * which verbs on which resources; reads of Secrets and ConfigMaps are
 * further limited to those a pod bound to that node uses, tokens to the
 * ServiceAccounts of its pods, and lists and
 * watches of pods to the node's own (fieldSelector spec.nodeName=NAME).
 * Which object a write may touch is NodeRestriction's job (admission).
 */
import { resourcePrefix } from '../../api/meta.js';
import type { Store, Watch } from '../../store/store.js';
import { nodeRules } from './bootstrap-policy.js';
import { NodeGraph } from './node-graph.js';
import { ruleAllows } from './rules.js';
import type { Attributes, Authorizer, AuthorizerResult, UserInfo } from './types.js';

const NODES_GROUP = 'system:nodes';
const NODE_USER_PREFIX = 'system:node:';

/** The node a user is, or undefined for anyone else. */
export function nodeNameOf(user: UserInfo | undefined): string | undefined {
  if (!user || !user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name || undefined;
}

const GRAPH_RESOURCES = new Set(['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes']);
const noOpinion: AuthorizerResult = { decision: 'no-opinion', reason: '' };

export class NodeAuthorizer implements Authorizer {
  graph = new NodeGraph();
  private watch: Watch | undefined;

  /** Follows every pod in the store: the graph must know each pod's node and references. */
  async start(store: Store): Promise<void> {
    const prefix = resourcePrefix('', 'pods');
    const list = await store.list(prefix);
    this.graph = new NodeGraph();
    for (const kv of list.items) this.feed(kv.key, kv.value);
    this.watch = store.watch(prefix, list.revision, {
      onEvents: (events) => {
        for (const e of events) this.feed(e.kv.key, e.type === 'put' ? e.kv.value : undefined);
      },
      onError: () => {
        // Compacted or closed: follow again from a fresh list.
        this.watch = undefined;
        // A failed restart means the store is closing: nothing is left to authorize.
        void this.start(store).catch(() => undefined);
      },
    });
  }

  private feed(key: string, value: string | undefined): void {
    // Unbound pods link nothing: skip parsing them (most writes of a busy scheduler-less run).
    if (value === undefined || !value.includes('"nodeName"')) this.graph.setPod(key, undefined);
    else this.graph.setPod(key, JSON.parse(value) as Parameters<NodeGraph['setPod']>[1]);
  }

  stop(): void {
    this.watch?.cancel();
  }

  authorize(a: Attributes): AuthorizerResult {
    const node = nodeNameOf(a.user);
    if (!node) return noOpinion;
    if (a.kind !== 'resource') return noOpinion;
    if (a.apiGroup === '' && GRAPH_RESOURCES.has(a.resource) && !a.subresource) {
      if (a.verb !== 'get' && !((a.verb === 'list' || a.verb === 'watch') && a.name)) {
        return { decision: 'no-opinion', reason: 'can only get individual resources of this type' };
      }
      if (this.graph.linked(node, a.resource, a.namespace, a.name)) return { decision: 'allow', reason: '' };
      return { decision: 'no-opinion', reason: `no relationship found between node '${node}' and this object` };
    }
    if (a.apiGroup === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') {
      if (a.verb !== 'create') return { decision: 'no-opinion', reason: 'can only create tokens' };
      if (this.graph.linked(node, 'serviceaccounts', a.namespace, a.name)) return { decision: 'allow', reason: '' };
      return { decision: 'no-opinion', reason: `no relationship found between node '${node}' and this object` };
    }
    if (a.apiGroup === '' && a.resource === 'pods' && !a.subresource && (a.verb === 'list' || a.verb === 'watch')) {
      if (a.fieldSelector !== undefined && ownPodsOnly(a.fieldSelector, node)) return { decision: 'allow', reason: '' };
      if (a.name && this.graph.linked(node, 'pods', a.namespace, a.name)) return { decision: 'allow', reason: '' };
      return { decision: 'no-opinion', reason: 'can only list/watch pods with spec.nodeName field selector' };
    }
    for (const r of nodeRules) if (ruleAllows(a, r)) return { decision: 'allow', reason: '' };
    return noOpinion;
  }
}

function ownPodsOnly(fieldSelector: string, node: string): boolean {
  return fieldSelector.split(',').some((term) => {
    const m = /^spec\.nodeName(?:==?)(.*)$/.exec(term.trim());
    return m !== null && m[1] === node;
  });
}

/**
 * kube's DefaultTolerationSeconds admission: a new pod that does not say
 * how long it stays on a node that is not ready or unreachable tolerates
 * those NoExecute taints for 300 s, so the pods of a dead node are evicted
 * (and replaced by their controllers) five minutes after it went silent.
 */
interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** kube's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
const DEFAULT_SECONDS = 300;
const KEYS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** The pod's tolerations with the defaults it lacks appended; the same array when it lacks none. */
export function withDefaultTolerations(tolerations: readonly Toleration[]): readonly Toleration[] {
  // As kube: a toleration for the key (or for every key) with NoExecute (or every effect) counts.
  const covered = (key: string) =>
    tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
  const missing = KEYS.filter((key) => !covered(key));
  if (missing.length === 0) return tolerations;
  return [
    ...tolerations,
    ...missing.map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_SECONDS })),
  ];
}

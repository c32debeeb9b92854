/**
 * The namespace labels of Pod Security Admission (pure):
 * pod-security.kubernetes.io/{enforce,warn,audit} with their -version.
 * A namespace without them is privileged; a value kube would not accept
 * counts as restricted:latest, as kube's admission treats it.
 */
import type { Level, LevelVersion } from './checks.js';

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
type Mode = 'enforce' | 'warn' | 'audit';
const MODES: Mode[] = ['enforce', 'warn', 'audit'];
const LEVELS = new Set<Level>(['privileged', 'baseline', 'restricted']);

type NamespacePolicy = Record<Mode, LevelVersion>;

/** "latest" → undefined; "v1.N" → N; anything else is invalid. */
export function parseVersion(v: string | undefined): { minor?: number } | undefined {
  if (v === undefined || v === '' || v === 'latest') return {};
  const m = /^v1\.(0|[1-9][0-9]*)$/.exec(v);
  return m ? { minor: Number(m[1]) } : undefined;
}

export function namespacePolicy(labels: Record<string, string> | undefined): NamespacePolicy {
  const one = (mode: Mode): LevelVersion => {
    const level = labels?.[LABEL_PREFIX + mode];
    const version = parseVersion(labels?.[`${LABEL_PREFIX}${mode}-version`]);
    if (level === undefined) return { level: 'privileged' };
    if (!LEVELS.has(level as Level) || !version) return { level: 'restricted' };
    return { level: level as Level, ...version };
  };
  return { enforce: one('enforce'), warn: one('warn'), audit: one('audit') };
}

/** "restricted:latest", "baseline:v1.29": how kube names a policy in its messages. */
export function policyName(lv: LevelVersion): string {
  return `${lv.level}:${lv.minor === undefined ? 'latest' : `v1.${lv.minor}`}`;
}

/** Field errors for invalid labels on a Namespace: [field, value, allowed]. */
export function invalidLabels(
  labels: Record<string, string> | undefined,
): { field: string; value: string; detail: string }[] {
  const out: { field: string; value: string; detail: string }[] = [];
  for (const mode of MODES) {
    const level = labels?.[LABEL_PREFIX + mode];
    if (level !== undefined && !LEVELS.has(level as Level))
      out.push({
        field: `metadata.labels[${LABEL_PREFIX}${mode}]`,
        value: level,
        detail: 'must be one of privileged, baseline, restricted',
      });
    const vkey = `${LABEL_PREFIX}${mode}-version`;
    const version = labels?.[vkey];
    if (version !== undefined && !parseVersion(version))
      out.push({ field: `metadata.labels[${vkey}]`, value: version, detail: 'must be "latest" or "v1.x"' });
  }
  return out;
}

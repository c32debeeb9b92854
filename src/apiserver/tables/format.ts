/** Formatting shared by printers: labels, label selectors, truncated lists, loose field access. */

type Obj = Record<string, unknown>;

/** Narrow an unknown field to an object ({} when absent), so printers read nested fields without casts everywhere. */
export const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(obj(labels)).sort(([a], [b]) => cmp(a, b));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${str(v)}`).join(',');
}

/**
 * metav1.FormatLabelSelector: requirements sorted by key ("app=web",
 * "tier in (a,b)", "env notin (x)", "canary", "!legacy"), "<none>" for a
 * missing or empty selector, "<error>" for an invalid one.
 */
export function formatLabelSelector(selector: unknown): string {
  const sel = obj(selector);
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(obj(sel['matchLabels']))) reqs.push({ key: k, text: `${k}=${str(v)}` });
  for (const e of arr(sel['matchExpressions'])) {
    const expr = obj(e);
    const key = str(expr['key']);
    const values = arr(expr['values']).map(str);
    const sorted = [...values].sort(cmp).join(',');
    switch (expr['operator']) {
      case 'In':
        if (values.length === 0) return '<error>';
        reqs.push({ key, text: `${key} in (${sorted})` });
        break;
      case 'NotIn':
        if (values.length === 0) return '<error>';
        reqs.push({ key, text: `${key} notin (${sorted})` });
        break;
      case 'Exists':
        if (values.length > 0) return '<error>';
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) return '<error>';
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return '<error>';
    }
  }
  if (reqs.length === 0) return '<none>';
  // Array.prototype.sort is stable, matching the order requirements were added for equal keys.
  return reqs
    .sort((a, b) => cmp(a.key, b.key))
    .map((r) => r.text)
    .join(',');
}

/** The first `max` items joined by ",", then " + N more..." for the rest. */
export function joinWithMore(list: string[], total: number, max: number): string {
  const ret = list.slice(0, max).join(',');
  return total > max ? `${ret} + ${total - max} more...` : ret;
}

/** net.JoinHostPort: brackets around IPv6 literals. */
export const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

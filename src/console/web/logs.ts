/** A container's log, followed as it grows, in a <pre>. */
import type { Api } from './api.js';

/** Keep the viewer light: older text beyond this many characters is dropped from the top. */
const MAX_CHARS = 2_000_000;

export function followLog(
  api: Api,
  pre: HTMLPreElement,
  target: { namespace: string; pod: string; container: string },
): { close(): void } {
  const abort = new AbortController();
  pre.textContent = '';
  const q = new URLSearchParams({ container: target.container, follow: 'true', tailLines: '1000' });
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log?${q.toString()}`;
  const append = (text: string) => {
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(text);
    const all = pre.textContent ?? '';
    if (all.length > MAX_CHARS) pre.textContent = all.slice(-MAX_CHARS / 2);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  };
  api
    .chunks(path, (text) => append(text), abort.signal)
    .then(() => append('\n[the log ended: the container stopped]\n'))
    .catch((e: Error) => {
      if (!abort.signal.aborted) append(`\n[${e.message}]\n`);
    });
  return { close: () => abort.abort() };
}

/** Loads the API server: namespaces, then Services up to a count, with requests in flight (only DNS is measured; this is setup). */
import type { BenchClient } from '../apiserver/http-client.js';
import { runPool } from '../apiserver/pool.js';
import { namespaceName, serviceNamespace, serviceObject } from './names.js';

export async function createNamespaces(client: BenchClient, count: number): Promise<void> {
  await runPool(count, 16, async (i) => {
    await client.expect(
      {
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespaceName(i) } },
      },
      201,
    );
  });
}

/** Creates Services from..to-1; returns seconds taken. */
export async function createServices(
  client: BenchClient,
  from: number,
  to: number,
  namespaces: number,
  concurrency: number,
  progress: (done: number) => void,
): Promise<number> {
  const started = performance.now();
  let done = 0;
  await runPool(to - from, concurrency, async (k) => {
    const i = from + k;
    for (let attempt = 0; ; attempt++) {
      try {
        await client.expect(
          {
            method: 'POST',
            path: `/api/v1/namespaces/${serviceNamespace(i, namespaces)}/services`,
            body: serviceObject(i, namespaces),
          },
          201,
        );
        break;
      } catch (e) {
        // A dropped keep-alive connection never ran the request: retry it (setup, not measured).
        const code = (e as NodeJS.ErrnoException).code;
        if (attempt >= 5 || !(code === 'ECONNRESET' || code === 'EPIPE' || (e as Error).message === 'socket hang up'))
          throw e;
      }
    }
    if (++done % 10_000 === 0) progress(from + done);
  });
  return (performance.now() - started) / 1000;
}

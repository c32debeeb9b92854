/**
 * "First successful connection": TCP connects to an address, one at a
 * time with a fresh socket (so each SYN is a new flow the rules see),
 * every ~1 ms until one completes. Before the rule exists the connect is
 * refused at once (Service without endpoints: REJECT) or goes unanswered
 * (unallocated ClusterIP: DROP), so an attempt is abandoned after 2 ms.
 */
import { connect } from 'node:net';

type Attempt = { ok: true; at: number } | { ok: false; why: string };

function attempt(host: string, port: number, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const finish = (a: Attempt) => {
      clearTimeout(timer);
      sock.removeAllListeners();
      sock.on('error', () => undefined);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => finish({ ok: false, why: 'timeout' }), timeoutMs);
    sock.once('connect', () => finish({ ok: true, at: performance.now() }));
    sock.once('error', (e: NodeJS.ErrnoException) => finish({ ok: false, why: e.code ?? e.message }));
  });
}

interface ProbeResult {
  connectedAt: number;
  attempts: number;
  lastFailure?: string;
}

/** Polls until a connect succeeds; rejects after `deadlineMs`. */
export async function firstConnect(host: string, port: number, deadlineMs: number): Promise<ProbeResult> {
  const end = performance.now() + deadlineMs;
  let attempts = 0;
  let lastFailure: string | undefined;
  for (;;) {
    attempts += 1;
    const a = await attempt(host, port, 2);
    if (a.ok) return { connectedAt: a.at, attempts, ...(lastFailure ? { lastFailure } : {}) };
    lastFailure = a.why;
    if (performance.now() > end)
      throw new Error(`no connection to ${host}:${port} within ${deadlineMs} ms (last: ${a.why})`);
    if (a.why !== 'timeout') await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Which API servers a client uses and when a failed request may go to the
 * next one. Pure. A request that never reached a server (refused, no route)
 * may go anywhere; one that broke on the way may be repeated only when
 * repeating it cannot do a write twice, so only reads move on then, and a
 * write's caller sees the error (as with client-go) and decides.
 */

/** Errors of a connection that was never made: the server saw nothing. */
const NOT_REACHED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

export function mayFailOver(method: string, cause: unknown): boolean {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && NOT_REACHED.has(code)) return true;
  return method === 'GET' || method === 'HEAD';
}

export const trimUrl = (s: string): string => s.replace(/\/+$/, '');

/** The configured server first, then the others once each, without trailing slashes. */
export function serverList(server: string, servers: readonly string[] = []): string[] {
  return [...new Set([trimUrl(server), ...servers.map(trimUrl)])];
}

/** The configured servers, then the learned ones not among them (each once; learned ones sorted, so stable). */
export function withLearned(configured: readonly string[], learned: readonly string[]): string[] {
  const known = new Set(configured);
  const extra = [...new Set(learned.map(trimUrl))].filter((u) => !known.has(u)).sort();
  return [...configured, ...extra];
}

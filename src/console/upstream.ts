/** The API server the console reads from and relays terminals to, with the caller's token only. */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Upstream {
  /** The API server's base URL, e.g. https://10.250.7.1:6443; another of `others` after a failover. */
  url: URL;
  /** The cluster's other API servers, tried in turn when url cannot be reached. */
  others?: URL[];
  /** PEM of the CA that signed the API server's certificate. */
  caPem?: string;
  /** Do not check the API server's certificate (tests only). */
  insecureSkipTlsVerify?: boolean;
}

export const USER_AGENT = 'podnet-console';

/** The upstream URL of a console path (path and query as the browser sent them). */
export function upstreamUrl(up: Upstream, pathAndQuery: string, scheme: 'http' | 'ws' = 'http'): URL {
  const base = up.url.pathname.replace(/\/+$/, '');
  const u = new URL(base + pathAndQuery, up.url);
  if (scheme === 'ws') u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u;
}

export const tlsOptions = (up: Upstream): { ca?: string; rejectUnauthorized: boolean } => ({
  ...(up.caPem ? { ca: up.caPem } : {}),
  rejectUnauthorized: !up.insecureSkipTlsVerify,
});

export function upstreamRequest(
  up: Upstream,
  target: URL,
  options: RequestOptions,
  onResponse: (res: IncomingMessage) => void,
): ClientRequest {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return send(target, { ...options, ...tlsOptions(up) }, onResponse);
}

/**
 * After `failed` could not be reached: the next API server becomes url
 * (failed goes to the back of the line). False when there is no other, or
 * another request already moved on.
 */
export function failOver(up: Upstream, failed: URL): boolean {
  if (!up.others?.length) return false;
  if (up.url !== failed) return true;
  up.others.push(up.url);
  up.url = up.others.shift()!;
  return true;
}

/** How many servers a request may try. */
export const serverCount = (up: Upstream): number => 1 + (up.others?.length ?? 0);

/** The API server the console reads from and relays terminals to, with the caller's token only. */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Upstream {
  /** The API server's base URL, e.g. https://10.250.7.1:6443. */
  url: URL;
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

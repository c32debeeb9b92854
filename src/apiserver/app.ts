/**
 * The API server's request handler: authentication, routing to health,
 * version, OpenAPI, discovery and resources. Socket-free (ApiRequest in,
 * Reply out) so tests can drive it directly; server.ts puts it on HTTPS.
 */
import { errors } from '../api/errors.js';
import { discoveryReply, versionInfo } from './handlers/discovery.js';
import { openapiReply } from './handlers/openapi.js';
import { handleResource, type ResourceHandlerDeps } from './handlers/resource.js';
import { MAX_BODY_BYTES, mediaType, nestedTooDeep, protobufBodyAsJson, tooDeep } from './http/body.js';
import { PROTOBUF_MEDIA_TYPE } from '../api/protobuf/decode.js';
import { errorReply, jsonReply, textReply, type ApiRequest, type Reply } from './http/reply.js';
import type { ApiserverMetrics } from './metrics.js';
import { parseRequest, type RequestInfo } from './request-info.js';
import type { UserInfo } from './state/tokens.js';
import type { StreamingProxy } from './streaming/proxy.js';
import { isReview } from '../api/resources.js';
import { tokenRequestReply, type TokenRequestDeps } from './serviceaccounts/token-request.js';
import { attributesOf, authorizeOrThrow, reviewReply, type Authorizer, type ReviewDeps } from './authz/index.js';

interface Authenticator {
  authenticate(token: string): Promise<UserInfo | undefined>;
}

interface HealthCheck {
  name: string;
  ok(): boolean;
}

interface AppDeps extends ResourceHandlerDeps {
  /** Undefined: no authentication (only with an explicit insecure flag). */
  authenticator?: Authenticator;
  /** Who may do what, and the review resources; undefined: every authenticated user may do anything. */
  authorization?: { authorizer: Authorizer; reviews: ReviewDeps };
  readyChecks: HealthCheck[];
  /** host:port clients use to reach this server (legacy discovery reports it). */
  serverAddress(): string;
  /** pods/log, exec, attach, portforward through the node agents (undefined: 503). */
  streaming?: StreamingProxy;
  /** serviceaccounts/token (TokenRequest); undefined: 404. */
  tokenRequests?: TokenRequestDeps;
  /** Counts every request and serves /metrics; undefined: no /metrics. */
  metrics?: ApiserverMetrics;
}

/** Paths anyone may read without a token, as kube's default RBAC allows. */
const PUBLIC = new Set(['/healthz', '/livez', '/readyz', '/version']);

export function createApp(deps: AppDeps): (req: ApiRequest) => Promise<Reply> {
  return async (req) => {
    const started = performance.now();
    const seen: Seen = {};
    let reply: Reply;
    try {
      reply = await route(deps, req, seen);
    } catch (e) {
      reply = errorReply(e);
    }
    deps.metrics?.observe(
      req.method,
      seen.info,
      req.headers['content-type'],
      seen.dryRun ?? false,
      reply.status,
      (performance.now() - started) / 1000,
    );
    return reply;
  };
}

/** What routing learned about a request, for its metrics. */
interface Seen {
  info?: RequestInfo;
  dryRun?: boolean;
}

async function route(deps: AppDeps, req: ApiRequest, seen: Seen): Promise<Reply> {
  const url = requestUrl(req.url);
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  const healthPath = path.split('/').slice(0, 2).join('/');
  let user: UserInfo | undefined;
  if (!PUBLIC.has(healthPath) && deps.authenticator) {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers['authorization'] ?? '');
    user = req.clientCertUser ?? (m ? await deps.authenticator.authenticate(m[1]!) : undefined);
    if (!user) throw errors.unauthorized();
  }
  if (bodyTooLarge(req)) throw errors.tooLarge();
  // Before any parser or walker recurses into it: a hostile body must not reach the stack limit.
  if (mediaType(req.headers['content-type']) !== PROTOBUF_MEDIA_TYPE && nestedTooDeep(req.body)) throw tooDeep();
  if (PUBLIC.has(healthPath)) return health(deps, path, url.searchParams);
  const info = parseRequest(req.method, path, url.searchParams);
  if (user && deps.authorization)
    authorizeOrThrow(deps.authorization.authorizer, attributesOf(user, req.method, path, info, url.searchParams));
  if (path === '/metrics' && deps.metrics) {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw errors.methodNotAllowed(req.method.toLowerCase(), { group: '', resource: '' });
    return { ...textReply(200, deps.metrics.text()), headers: { 'Content-Type': 'text/plain; version=0.0.4' } };
  }
  if (path === '/openapi/v2' || path === '/openapi/v3' || path.startsWith('/openapi/v3/')) {
    return openapiReply(path, req.headers['accept']);
  }
  seen.info = info;
  seen.dryRun = url.searchParams.has('dryRun');
  if (info.kind === 'discovery') {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw errors.methodNotAllowed(req.method.toLowerCase(), { group: '', resource: '' });
    return discoveryReply(info, req.headers['accept'], deps.serverAddress());
  }
  if (info.kind === 'nonresource') {
    if (path === '/')
      return jsonReply(200, {
        paths: [
          '/api',
          '/api/v1',
          '/apis',
          '/healthz',
          '/livez',
          '/metrics',
          '/readyz',
          '/openapi/v2',
          '/openapi/v3',
          '/version',
        ],
      });
    throw errors.resourceNotFound();
  }
  info.user = user;
  if (isReview(info.ri) && user && deps.authorization) {
    const review = protobufBodyAsJson(req);
    return reviewReply(deps.authorization.reviews, info, user, review.headers, review.body);
  }
  if (info.ri.group === '' && info.ri.resource === 'serviceaccounts' && info.subresource === 'token') {
    if (!deps.tokenRequests) throw errors.resourceNotFound();
    const tokenReq = protobufBodyAsJson(req);
    return tokenRequestReply(deps.tokenRequests, info, user, tokenReq.headers, tokenReq.body);
  }
  if (info.verb === 'connect' && deps.streaming) return deps.streaming.connect(info, url.searchParams, user);
  const jsonReq = protobufBodyAsJson(req);
  return handleResource(deps, info, url.searchParams, jsonReq.headers, jsonReq.body);
}

/** Over kube's body limit? The text is measured only when it could be (UTF-8 takes at most 3 bytes per UTF-16 unit). */
function bodyTooLarge(req: ApiRequest): boolean {
  if (req.rawBody) return req.rawBody.byteLength > MAX_BODY_BYTES;
  return req.body.length * 3 > MAX_BODY_BYTES && Buffer.byteLength(req.body) > MAX_BODY_BYTES;
}

function health(deps: AppDeps, path: string, q: URLSearchParams): Reply {
  if (path === '/version') return jsonReply(200, versionInfo());
  const checks: { name: string; ok: boolean }[] = [
    { name: 'ping', ok: true },
    { name: 'log', ok: true },
  ];
  if (path.startsWith('/readyz')) for (const c of deps.readyChecks) checks.push({ name: c.name, ok: c.ok() });
  const failed = checks.filter((c) => !c.ok);
  if (q.has('verbose') || failed.length > 0) {
    const lines = checks.map((c) => `[${c.ok ? '+' : '-'}]${c.name} ${c.ok ? 'ok' : 'failed: reason withheld'}`);
    const name = path.slice(1);
    lines.push(failed.length ? `${name} check failed` : `${name} check passed`);
    return textReply(failed.length ? 500 : 200, lines.join('\n') + '\n');
  }
  return textReply(200, 'ok');
}

/** The request's path and query; a request target URL parsing refuses (e.g. "//?x") is a 400, not a 500. */
function requestUrl(target: string): URL {
  try {
    return new URL(`https://apiserver${target.startsWith('/') ? '' : '/'}${target}`);
  } catch {
    throw errors.badRequest(`the request path ${JSON.stringify(target.slice(0, 100))} is not a valid URL path`);
  }
}

/**
 * Turns a URL path and method into what is being asked: the resource,
 * namespace, name, subresource and verb (kube-apiserver's RequestInfo).
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import { errors } from '../api/errors.js';
import type { UserInfo } from './state/tokens.js';
import { queryBool } from '../streaming/options.js';

type RequestVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';

export interface ResourceRequest {
  kind: 'resource';
  ri: ResourceInfo;
  verb: RequestVerb;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Who asks: set once the request is authenticated (admission and field ownership read it). */
  user?: UserInfo;
}

interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
}

/** /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v> */
export interface DiscoveryRequest {
  kind: 'discovery';
  group?: string;
  version?: string;
  legacy: boolean;
}

export type RequestInfo = ResourceRequest | NonResourceRequest | DiscoveryRequest;

/** One path segment, unescaped; a malformed escape ("%zz") is the client's error. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.badRequest(`invalid URL escape in the path segment ${JSON.stringify(segment)}`);
  }
}

export function parseRequest(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeSegment);
  if (parts[0] === 'api') {
    if (parts.length === 1) return { kind: 'discovery', legacy: true };
    if (parts.length === 2) return { kind: 'discovery', legacy: true, group: '', version: parts[1] };
    return resourcePath(method, '', parts[1]!, parts.slice(2), query);
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { kind: 'discovery', legacy: false };
    if (parts.length === 2) return { kind: 'discovery', legacy: false, group: parts[1] };
    if (parts.length === 3) return { kind: 'discovery', legacy: false, group: parts[1], version: parts[2] };
    return resourcePath(method, parts[1]!, parts[2]!, parts.slice(3), query);
  }
  return { kind: 'nonresource', path: pathname };
}

function resourcePath(
  method: string,
  group: string,
  version: string,
  rest: string[],
  query: URLSearchParams,
): ResourceRequest {
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // namespaces/<ns>/<resource>/... but /namespaces and /namespaces/<name>[/status|/finalize] are the Namespace resource itself.
  // .../namespaces/NAME/status and /finalize are subresources of the Namespace itself.
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  const ri = resource ? findResource(group, version, resource) : undefined;
  if (!ri || extra.length > 0) throw errors.resourceNotFound();
  if (subresource && !ri.subresources.some((s) => s.name === subresource)) throw errors.resourceNotFound();
  if (ri.resource === 'namespaces') namespace = undefined;
  else if (!ri.namespaced && namespace !== undefined) throw errors.resourceNotFound();
  // kube's query bool: the Python client sends watch=True.
  const isWatch = watchPrefix || queryBool(query, 'watch');
  let verb: RequestVerb;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name ? (isWatch ? 'watch' : 'get') : isWatch ? 'watch' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      throw errors.methodNotAllowed(method.toLowerCase(), { group, resource: ri.resource });
  }
  const sub = subresource ? ri.subresources.find((s) => s.name === subresource) : undefined;
  if (sub?.streaming) verb = 'connect';
  // A verb the resource does not serve (deletecollection on namespaces, watch on status) is kube's 405.
  else if (!(sub ?? ri).verbs.includes(verb))
    throw errors.methodNotAllowed(verb, { group, resource: sub ? `${ri.resource}/${sub.name}` : ri.resource });
  return { kind: 'resource', ri, verb, namespace, name, subresource };
}

/**
 * POST .../serviceaccounts/NAME/token (TokenRequest): a signed token for
 * the ServiceAccount, with the audiences and lifetime asked for, bound to a
 * Pod or Secret when the request names one (`kubectl create token SA
 * [--bound-object-kind Pod --bound-object-name P]`; the node agent for a
 * pod's projected token). Answered and never stored. A node may only ask
 * for tokens bound to pods that run on it (kube's NodeRestriction).
 */
import { ApiError, errors, fieldError, type FieldError } from '../../api/errors.js';
import type { KObject } from '../../api/meta.js';
import { findResource } from '../../api/resources.js';
import { nodeNameOf } from '../authz/node-authorizer.js';
import { decodeBody } from '../http/body.js';
import { jsonReply, type Reply } from '../http/reply.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceRequest } from '../request-info.js';
import type { UserInfo } from '../state/tokens.js';
import {
  DEFAULT_EXPIRATION_SECONDS,
  MAX_EXPIRATION_SECONDS,
  MIN_EXPIRATION_SECONDS,
  type TokenSubject,
} from './claims.js';
import type { ServiceAccountTokens } from './tokens.js';

const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
const res = {
  serviceaccounts: findResource('', 'v1', 'serviceaccounts')!,
  pods: findResource('', 'v1', 'pods')!,
  secrets: findResource('', 'v1', 'secrets')!,
  nodes: findResource('', 'v1', 'nodes')!,
};

interface TokenRequestSpec {
  audiences?: string[] | null;
  expirationSeconds?: number | null;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
}

export interface TokenRequestDeps {
  registry: Registry;
  tokens: ServiceAccountTokens;
}

export async function tokenRequestReply(
  d: TokenRequestDeps,
  req: ResourceRequest,
  user: UserInfo | undefined,
  headers: Record<string, string | undefined>,
  body: string,
): Promise<Reply> {
  const namespace = req.namespace!;
  const name = req.name!;
  if (req.verb !== 'create') throw errors.methodNotAllowed(req.verb, { group: '', resource: 'serviceaccounts/token' });
  const input = (body.trim() ? decodeBody(body, headers['content-type']) : {}) as KObject & {
    spec?: TokenRequestSpec;
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw errors.badRequest('the request body must be a TokenRequest object');
  if (
    (input.kind && input.kind !== 'TokenRequest') ||
    (input.apiVersion && input.apiVersion !== 'authentication.k8s.io/v1')
  )
    throw errors.badRequest(
      `the body is a ${input.apiVersion ?? ''}/${input.kind ?? ''}; serviceaccounts/token takes an authentication.k8s.io/v1 TokenRequest`,
    );
  const spec = input.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  const problems = specProblems(spec, expirationSeconds);
  if (problems.length) throw errors.invalid(TOKEN_REQUEST, name, problems);

  const sa = await d.registry.get(res.serviceaccounts, namespace, name);
  const subject: TokenSubject = { namespace, serviceAccount: { name, uid: sa.metadata.uid! } };
  const ref = spec.boundObjectRef;
  const node = nodeNameOf(user);
  if (node && ref?.kind !== 'Pod') throw errors.forbidden(`node requested token not bound to a pod`);
  if (ref) {
    if (ref.kind !== 'Pod' && ref.kind !== 'Secret')
      throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to object of kind "${ref.kind ?? ''}"`);
    const bound = (await d.registry.get(
      ref.kind === 'Pod' ? res.pods : res.secrets,
      namespace,
      ref.name ?? '',
    )) as KObject & {
      spec?: { serviceAccountName?: string; nodeName?: string };
    };
    if (ref.uid && ref.uid !== bound.metadata.uid)
      throw errors.conflict(
        { group: '', resource: ref.kind === 'Pod' ? 'pods' : 'secrets' },
        ref.name ?? '',
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    const boundRef = { name: bound.metadata.name!, uid: bound.metadata.uid! };
    if (ref.kind === 'Pod') {
      if ((bound.spec?.serviceAccountName || 'default') !== name)
        throw errors.badRequest(
          `cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`,
        );
      if (node && bound.spec?.nodeName !== node)
        throw errors.forbidden(`node requested token bound to a pod scheduled on a different node`);
      subject.pod = boundRef;
      if (bound.spec?.nodeName) subject.node = await nodeRef(d.registry, bound.spec.nodeName);
    } else subject.secret = boundRef;
  }
  const minted = d.tokens.mint(subject, spec.audiences ?? undefined, expirationSeconds);
  return jsonReply(201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: null },
    spec: {
      audiences: spec.audiences?.length ? spec.audiences : d.tokens.audiences,
      expirationSeconds,
      boundObjectRef: ref ?? null,
    },
    status: minted,
  });
}

function specProblems(spec: TokenRequestSpec, seconds: number): FieldError[] {
  const out: FieldError[] = [];
  if (!Number.isInteger(seconds)) out.push(fieldError.invalid('spec.expirationSeconds', seconds, 'must be an integer'));
  else if (seconds < MIN_EXPIRATION_SECONDS)
    out.push(fieldError.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes'));
  else if (seconds > MAX_EXPIRATION_SECONDS)
    out.push(
      fieldError.invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds'),
    );
  if (spec.audiences != null && (!Array.isArray(spec.audiences) || spec.audiences.some((a) => typeof a !== 'string')))
    out.push(fieldError.invalid('spec.audiences', JSON.stringify(spec.audiences), 'must be a list of strings'));
  return out;
}

/** The node claim of a pod-bound token; a node that is gone leaves it out. */
async function nodeRef(registry: Registry, name: string): Promise<{ name: string; uid: string } | undefined> {
  try {
    const n = await registry.get(res.nodes, undefined, name);
    return { name, uid: n.metadata.uid! };
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  }
}

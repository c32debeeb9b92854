/**
 * The schema registry: every definition podnet serves, named as
 * kube-apiserver names them in OpenAPI, plus the lookups the rest of the
 * server needs (kind -> schema, ref resolution, walking a path for patches).
 */
import { resources, groupVersion } from '../resources.js';
import { appsDefinitions } from './defs-apps.js';
import { coordinationDefinitions } from './defs-coordination.js';
import { coreNodeDefinitions } from './defs-core-node.js';
import { coreObjectsDefinitions } from './defs-core-objects.js';
import { corePodDefinitions } from './defs-core-pod.js';
import { coreServiceDefinitions } from './defs-core-service.js';
import { coreVolumesDefinitions } from './defs-core-volumes.js';
import { discoveryDefinitions } from './defs-discovery.js';
import {
  APPS,
  AUTHENTICATION,
  AUTHORIZATION,
  AUTOSCALING,
  CORE,
  COORDINATION,
  DISCOVERY,
  META,
  NETWORKING,
  RBAC,
} from './dsl.js';
import { rbacDefinitions } from './defs-rbac.js';
import { metaDefinitions } from './defs-meta.js';
import { networkingDefinitions } from './defs-networking.js';
import type { Definitions, Schema } from './types.js';

export type { Schema, ObjectSchema, ArraySchema, Definitions } from './types.js';

/** All definitions, keyed like OpenAPI ("io.k8s.api.core.v1.Container"). */
export const definitions: Definitions = {
  ...metaDefinitions,
  ...coreObjectsDefinitions,
  ...corePodDefinitions,
  ...coreVolumesDefinitions,
  ...coreServiceDefinitions,
  ...coreNodeDefinitions,
  ...discoveryDefinitions,
  ...networkingDefinitions,
  ...coordinationDefinitions,
  ...appsDefinitions,
  ...rbacDefinitions,
};

/** Definition-name prefix of each served API group ("" is the core group). */
const groupPrefix: Record<string, string> = {
  '': CORE,
  'discovery.k8s.io': DISCOVERY,
  'networking.k8s.io': NETWORKING,
  'coordination.k8s.io': COORDINATION,
  apps: APPS,
  // Only for Scale, the kind of the scale subresources.
  autoscaling: AUTOSCALING,
  'rbac.authorization.k8s.io': RBAC,
  'authorization.k8s.io': AUTHORIZATION,
  'authentication.k8s.io': AUTHENTICATION,
};

/** Kinds every group version accepts that live in meta/v1 (DeleteOptions in a DELETE body, Status, WatchEvent). */
const metaKinds = new Set(['Status', 'DeleteOptions', 'WatchEvent']);

function groupOf(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return groupPrefix[group] === undefined ? undefined : group;
}

/**
 * The OpenAPI definition name for an apiVersion/kind, or undefined when the
 * kind is not served. Lists ("PodList") and Binding resolve like resources.
 */
export function definitionName(apiVersion: string, kind: string): string | undefined {
  const group = groupOf(apiVersion);
  if (group !== undefined) {
    const name = groupPrefix[group] + kind;
    if (definitions[name]) return name;
  }
  if (metaKinds.has(kind)) return META + kind;
  return undefined;
}

/**
 * The top-level object schema (apiVersion, kind, metadata, spec, ...) of a
 * kind, with its root ref already resolved; undefined when the kind is unknown.
 */
export function schemaForKind(apiVersion: string, kind: string): Schema | undefined {
  const name = definitionName(apiVersion, kind);
  return name ? resolve({ type: 'ref', ref: name }) : undefined;
}

/** Follows refs until a concrete schema. Throws on a dangling ref (a bug in the definitions). */
export function resolve(s: Schema): Schema {
  let cur = s;
  for (let hops = 0; cur.type === 'ref'; hops++) {
    const next = definitions[cur.ref];
    if (!next || hops > 32) throw new Error(`schema: unresolvable definition ${cur.ref}`);
    cur = next;
  }
  return cur;
}

/**
 * The schema one step down: an object's property, a map's value, an array's
 * item (key is an index, number or numeric string). Refs are resolved on
 * both ends; 'any' stays 'any' all the way down. Undefined when the key
 * does not exist in the schema or the step does not fit its type.
 */
export function childSchema(s: Schema, key: string | number): Schema | undefined {
  const r = resolve(s);
  switch (r.type) {
    case 'object': {
      if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(r.properties, key)) return undefined;
      return resolve(r.properties[key]!);
    }
    case 'map':
      return typeof key === 'string' ? resolve(r.values) : undefined;
    case 'array':
      return typeof key === 'number' || /^\d+$/.test(key) ? resolve(r.items) : undefined;
    case 'any':
      return r;
    default:
      return undefined;
  }
}

/** A served kind with its OpenAPI definition (what x-kubernetes-group-version-kind names). */
export interface KindDefinition {
  group: string;
  version: string;
  kind: string;
  definition: string;
}

/**
 * Every kind that carries x-kubernetes-group-version-kind: each resource's
 * kind and list kind, subresource kinds that have schemas (Binding), and
 * the meta kinds (Status, DeleteOptions, WatchEvent) once per served group version.
 */
export function kindDefinitions(): KindDefinition[] {
  const out: KindDefinition[] = [];
  const add = (group: string, version: string, kind: string, definition: string): void => {
    if (!definitions[definition]) return;
    if (!out.some((k) => k.group === group && k.version === version && k.kind === kind))
      out.push({ group, version, kind, definition });
  };
  for (const ri of resources) {
    const prefix = groupPrefix[ri.group];
    if (prefix === undefined) continue;
    add(ri.group, ri.version, ri.kind, prefix + ri.kind);
    add(ri.group, ri.version, ri.listKind, prefix + ri.listKind);
    for (const sub of ri.subresources) {
      // A subresource may answer in another group's kind (scale: autoscaling/v1 Scale).
      const group = sub.group ?? ri.group;
      add(group, sub.version ?? ri.version, sub.kind, (groupPrefix[group] ?? prefix) + sub.kind);
    }
  }
  const gvs = [...new Set(resources.map((ri) => groupVersion(ri)))];
  for (const gv of gvs) {
    const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
    for (const kind of metaKinds) add(group, version, kind, META + kind);
  }
  return out;
}
